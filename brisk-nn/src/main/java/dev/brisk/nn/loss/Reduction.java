package dev.brisk.nn.loss;

import dev.brisk.tensor.Tensor;

/** How a loss reduces its per-element values (PyTorch's {@code reduction}). */
public enum Reduction {
    /** Per-element losses, unreduced. */
    NONE,
    /** Sum over all elements. */
    SUM,
    /** Mean over all elements (cross-entropy: over the non-ignored targets). */
    MEAN,
    /** Sum divided by the batch size {@code input.size(0)}; KL divergence only (the mathematically right mean). */
    BATCHMEAN;

    /** Applies NONE, SUM or MEAN to {@code perElement}. */
    Tensor apply(String loss, Tensor perElement) {
        return switch (this) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.mean();
            case BATCHMEAN -> throw new IllegalArgumentException(loss + ": reduction BATCHMEAN is only defined for"
                    + " KL divergence; use MEAN");
        };
    }
}
