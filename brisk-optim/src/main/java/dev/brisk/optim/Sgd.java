package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * Stochastic gradient descent with momentum, as PyTorch's {@code torch.optim.SGD}:
 * <pre>
 *   g ← g + λ·θ                                  (weight decay λ)
 *   b ← g (first step) | μ·b + (1 − τ)·g          (momentum μ, dampening τ)
 *   d ← nesterov ? g + μ·b : b                   (d = g when μ = 0)
 *   θ ← θ − η·d
 * </pre>
 */
public record Sgd(double momentum, double dampening, boolean nesterov) implements UpdateRule {

    public Sgd {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        if (!(dampening >= 0 && dampening <= 1)) {
            throw new IllegalArgumentException("SGD dampening must be in [0, 1], got " + dampening);
        }
        if (nesterov && (momentum == 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
    }

    /** Plain SGD. */
    public static Sgd plain() {
        return new Sgd(0, 0, false);
    }

    /** SGD with heavy-ball momentum {@code momentum}. */
    public static Sgd momentum(double momentum) {
        return new Sgd(momentum, 0, false);
    }

    @Override
    public List<String> stateSlots() {
        return momentum == 0 ? List.of() : List.of("momentum_buffer");
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels k) {
        float[] buf = momentum == 0 ? null : state[0].storage().floats();
        k.sgd(param.storage().floats(), param.offset(), grad.storage().floats(), grad.offset(), buf, 0,
                param.numel(), (float) lr, (float) momentum, (float) dampening, nesterov, (float) weightDecay,
                step == 1);
    }
}
