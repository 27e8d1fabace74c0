package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.ArrayList;
import java.util.List;

/**
 * RMSProp (Hinton, lecture 6e), as PyTorch's {@code torch.optim.RMSprop}; the centered variant is Graves (2013):
 * <pre>
 *   g ← g + λ·θ                                   (weight decay λ, coupled)
 *   s ← α·s + (1 − α)·g²                          (square_avg)
 *   centered:  a ← α·a + (1 − α)·g;  D = √(s − a²) + ε      (grad_avg)
 *   else:      D = √s + ε
 *   momentum μ > 0:  b ← μ·b + g/D;  θ ← θ − η·b   (momentum_buffer)
 *   else:            θ ← θ − η·g/D
 * </pre>
 */
public record RmsProp(double alpha, double eps, double momentum, boolean centered) implements UpdateRule {

    public RmsProp {
        if (!(alpha >= 0 && alpha < 1)) {
            throw new IllegalArgumentException("RMSProp alpha (smoothing constant) must be in [0, 1), got " + alpha);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("RMSProp eps must be a positive finite number, got " + eps);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("RMSProp momentum must be in [0, 1), got " + momentum);
        }
    }

    /** PyTorch's defaults: α = 0.99, ε = 1e-8, no momentum, not centered. */
    public static RmsProp defaults() {
        return new RmsProp(0.99, 1e-8, 0, false);
    }

    @Override
    public List<String> stateSlots() {
        List<String> s = new ArrayList<>(List.of("square_avg"));
        if (centered) {
            s.add("grad_avg");
        }
        if (momentum != 0) {
            s.add("momentum_buffer");
        }
        return List.copyOf(s);
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels k) {
        float[] avg = centered ? state[1].storage().floats() : null;
        float[] buf = momentum != 0 ? state[centered ? 2 : 1].storage().floats() : null;
        k.rmsprop(param.storage().floats(), param.offset(), grad.storage().floats(), grad.offset(),
                state[0].storage().floats(), avg, buf, 0, param.numel(), (float) lr, (float) alpha, (float) eps,
                (float) weightDecay, (float) momentum);
    }
}
