package dev.brisk.nn.loss;

import dev.brisk.tensor.Tensor;

/**
 * A loss in module form: configured once (a record), then applied to (input, target) pairs. Has no parameters,
 * so it is not a {@link dev.brisk.nn.Module}; a lambda is a Loss too.
 */
@FunctionalInterface
public interface Loss {

    /** The loss of {@code input} (predictions, logits, log-probabilities) against {@code target}. */
    Tensor apply(Tensor input, Tensor target);
}
