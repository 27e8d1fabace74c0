package dev.brisk.train;

import dev.brisk.nn.loss.Loss;
import dev.brisk.tensor.Tensor;

/**
 * A loss that also sees the batch's inputs, for losses that run another model on them (knowledge distillation
 * runs the teacher). {@link TrainStep} calls {@link #apply(Tensor, Tensor, Tensor)}; evaluation, which only has the
 * outputs, calls the plain {@link Loss#apply(Tensor, Tensor)}.
 */
public interface BatchLoss extends Loss {

    /** The training loss of {@code output} (the model's output on {@code inputs}) against {@code targets}. */
    Tensor apply(Tensor inputs, Tensor output, Tensor targets);
}
