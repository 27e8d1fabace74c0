package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * How one optimizer turns a gradient into a parameter update. A rule holds only hyperparameters; the per-parameter
 * state (named slots shaped like the parameter, e.g. Adam's {@code exp_avg}, {@code exp_avg_sq}) is owned by
 * {@link Optimizer}, which also counts steps, so checkpoints see every piece of state as a named tensor.
 */
public sealed interface UpdateRule permits Sgd, Adam, RmsProp, Adagrad, Lamb, Lars {

    /** Names of the state buffers this rule keeps per parameter (each zero-initialised, same shape). */
    List<String> stateSlots();

    /**
     * Updates {@code param} in place from {@code grad} (both contiguous F32) and its {@code state} buffers.
     * {@code step} counts from 1 for the first update of this parameter.
     */
    void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                OptimizerKernels kernels);
}
