package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * LARS (You, Gitman &amp; Ginsburg 2017, "Large Batch Training of Convolutional Networks"): SGD with momentum whose
 * step is rescaled per parameter tensor (layer) by a local trust ratio, as timm's {@code Lars}:
 * <pre>
 *   τ = η_trust·‖θ‖ / (‖g‖ + λ·‖θ‖ + ε)   (τ = 1 when ‖θ‖ = 0 or ‖g‖ = 0, or when λ = 0: see below)
 *   g ← τ·(g + λ·θ)
 *   b ← μ·b + g                            (momentum_buffer, starts at 0)
 *   d = nesterov ? g + μ·b : b
 *   θ ← θ − η·d
 * </pre>
 * Tensors without weight decay (biases and normalisation weights under the default mask) are not adapted, so they
 * take plain momentum steps, as in the paper's ImageNet recipe and timm's default.
 */
public record Lars(double momentum, double trustCoefficient, double eps, boolean nesterov) implements UpdateRule {

    public Lars {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("LARS momentum must be in [0, 1), got " + momentum);
        }
        if (!(trustCoefficient > 0) || Double.isInfinite(trustCoefficient)) {
            throw new IllegalArgumentException("LARS trustCoefficient must be a positive finite number, got "
                    + trustCoefficient);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("LARS eps must be finite and >= 0, got " + eps);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("LARS with Nesterov momentum needs momentum > 0, got " + momentum);
        }
    }

    /** Momentum 0.9, trust coefficient 0.001, ε = 1e-8, no Nesterov (the paper's and timm's defaults). */
    public static Lars defaults() {
        return new Lars(0.9, 0.001, 1e-8, false);
    }

    @Override
    public List<String> stateSlots() {
        return List.of("momentum_buffer");
    }

    /** τ for a tensor with norm {@code paramNorm}, gradient norm {@code gradNorm} and decay {@code weightDecay}. */
    double trustRatio(double paramNorm, double gradNorm, double weightDecay) {
        if (weightDecay == 0 || !(paramNorm > 0) || !(gradNorm > 0)) {
            return 1.0;
        }
        return trustCoefficient * paramNorm / (gradNorm + weightDecay * paramNorm + eps);
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels k) {
        float[] p = param.storage().floats();
        float[] g = grad.storage().floats();
        int n = param.numel();
        double ratio = weightDecay == 0 ? 1.0 : trustRatio(Math.sqrt(k.sumOfSquares(p, param.offset(), n)),
                Math.sqrt(k.sumOfSquares(g, grad.offset(), n)), weightDecay);
        k.lars(p, param.offset(), g, grad.offset(), state[0].storage().floats(), 0, n, (float) lr, (float) ratio,
                (float) momentum, (float) weightDecay, nesterov);
    }
}
