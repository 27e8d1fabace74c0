package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.List;

/**
 * How one optimizer turns a gradient into a parameter update. A rule holds only hyperparameters; the per-parameter
 * state (named slots shaped like the parameter, e.g. Adam's {@code exp_avg}, {@code exp_avg_sq}) is owned by
 * {@link Optimizer}, which also counts steps, so checkpoints see every piece of state as a named tensor.
 *
 * <p>In optax's terms {@link Optimizer} is {@code init} (it creates the slots) and this is {@code update}; the
 * variants are compositions: AdamW = Adam + decoupled decay, LAMB = Adam direction + layer-wise trust ratio,
 * LARS = SGD momentum + layer-wise trust ratio.
 */
public sealed interface UpdateRule permits Sgd, Adam, RmsProp, Adagrad, Lamb, Lars {

    /** Names of the state buffers this rule keeps per parameter (same shape as the parameter). */
    List<String> stateSlots();

    /** The value every element of slot {@code slot} starts at (0 unless the rule says otherwise). */
    default float initialValue(String slot) {
        return 0f;
    }

    /**
     * Updates {@code param} in place from {@code grad} (both contiguous F32) and its {@code state} buffers.
     * {@code step} counts from 1 for the first update of this parameter.
     */
    void update(Tensor param, Tensor grad, Tensor[] state, double lr, double weightDecay, long step,
                OptimizerKernels kernels);
}
