package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/** Placeholder until the rule lands. */
public record RmsProp() implements UpdateRule {
    @Override
    public List<String> stateSlots() {
        return List.of();
    }

    @Override
    public void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                       OptimizerKernels kernels) {
        throw new UnsupportedOperationException("RmsProp is not implemented yet");
    }
}
