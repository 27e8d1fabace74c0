package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning"): Adam's bias-corrected direction plus
 * decoupled weight decay, rescaled per parameter tensor (layer) by the trust ratio ‖θ‖ / ‖r‖, as optax's
 * {@code lamb}:
 * <pre>
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   r = (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε) + λ·θ
 *   τ = ‖θ‖ / ‖r‖   (τ = 1 when ‖θ‖ = 0 or ‖r‖ = 0)
 *   θ ← θ − η·τ·r
 * </pre>
 * Two passes over the tensor (moments and ‖r‖², then the update), no scratch buffer.
 */
public record Lamb(double beta1, double beta2, double eps) implements UpdateRule {

    public Lamb {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("LAMB beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("LAMB beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("LAMB eps must be a positive finite number, got " + eps);
        }
    }

    /** The paper's defaults: β = 0.9, 0.999; ε = 1e-6. */
    public static Lamb defaults() {
        return new Lamb(0.9, 0.999, 1e-6);
    }

    @Override
    public List<String> stateSlots() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    /** τ = ‖θ‖ / ‖r‖, or 1 when either norm is zero. */
    static double trustRatio(double paramNorm, double directionNorm) {
        return paramNorm > 0 && directionNorm > 0 ? paramNorm / directionNorm : 1.0;
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels k) {
        float[] p = param.storage().floats();
        float[] m = state[0].storage().floats();
        float[] v = state[1].storage().floats();
        int n = param.numel();
        float bc1 = (float) (1 - Math.pow(beta1, step));
        float bc2 = (float) (1 - Math.pow(beta2, step));
        double pNorm = Math.sqrt(k.sumOfSquares(p, param.offset(), n));
        double rNorm = Math.sqrt(k.lambMoments(p, param.offset(), grad.storage().floats(), grad.offset(), m, v, 0, n,
                (float) beta1, (float) beta2, (float) eps, (float) weightDecay, bc1, bc2));
        double ratio = trustRatio(pNorm, rNorm);
        k.lambApply(p, param.offset(), m, v, 0, n, (float) (lr * ratio), (float) eps, (float) weightDecay, bc1, bc2);
    }
}
