package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * Adagrad (Duchi, Hazan &amp; Singer 2011), as PyTorch's {@code torch.optim.Adagrad}:
 * <pre>
 *   η_t = η / (1 + (t − 1)·δ)                    (learning-rate decay δ)
 *   g ← g + λ·θ                                   (weight decay λ, coupled)
 *   S ← S + g²                                    (sum, starting at initialAccumulatorValue)
 *   θ ← θ − η_t · g / (√S + ε)
 * </pre>
 */
public record Adagrad(double lrDecay, double initialAccumulatorValue, double eps) implements UpdateRule {

    public Adagrad {
        if (!(lrDecay >= 0) || Double.isInfinite(lrDecay)) {
            throw new IllegalArgumentException("Adagrad lrDecay must be finite and >= 0, got " + lrDecay);
        }
        if (!(initialAccumulatorValue >= 0) || Double.isInfinite(initialAccumulatorValue)) {
            throw new IllegalArgumentException("Adagrad initialAccumulatorValue must be finite and >= 0, got "
                    + initialAccumulatorValue);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("Adagrad eps must be a positive finite number, got " + eps);
        }
    }

    /** PyTorch's defaults: no lr decay, accumulator starting at 0, ε = 1e-10. */
    public static Adagrad defaults() {
        return new Adagrad(0, 0, 1e-10);
    }

    @Override
    public List<String> stateSlots() {
        return List.of("sum");
    }

    @Override
    public float initialValue(String slot) {
        return (float) initialAccumulatorValue;
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels k) {
        double clr = lr / (1 + (step - 1) * lrDecay);
        k.adagrad(param.storage().floats(), param.offset(), grad.storage().floats(), grad.offset(),
                state[0].storage().floats(), 0, param.numel(), (float) clr, (float) eps, (float) weightDecay);
    }
}
