package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba) and AdamW (Loshchilov &amp; Hutter) — AdamW is Adam with weight decay decoupled from the
 * gradient:
 * <pre>
 *   Adam:  g ← g + λ·θ            AdamW: θ ← θ·(1 − η·λ)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − η · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * </pre>
 */
public record Adam(double beta1, double beta2, double eps, boolean decoupledWeightDecay) implements UpdateRule {

    public Adam {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("Adam beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("Adam eps must be a positive finite number, got " + eps);
        }
    }

    /** Adam with PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8); weight decay, if any, is L2 on the gradient. */
    public static Adam adam() {
        return new Adam(0.9, 0.999, 1e-8, false);
    }

    /** AdamW with PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8). */
    public static Adam adamW() {
        return new Adam(0.9, 0.999, 1e-8, true);
    }

    /** AdamW with the given betas and ε = 1e-8; weight decay is decoupled. */
    public static Adam adamW(double beta1, double beta2) {
        return new Adam(beta1, beta2, 1e-8, true);
    }

    @Override
    public List<String> stateSlots() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels k) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        k.adam(param.storage().floats(), param.offset(), grad.storage().floats(), grad.offset(),
                state[0].storage().floats(), state[1].storage().floats(), 0, param.numel(), (float) lr,
                (float) beta1, (float) beta2, (float) eps, (float) weightDecay, decoupledWeightDecay, (float) bc1,
                (float) bc2);
    }
}
