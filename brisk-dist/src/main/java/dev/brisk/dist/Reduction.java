package dev.brisk.dist;

/**
 * How an all-reduce or reduce-scatter combines the ranks' values, elementwise. {@code AVG} is the sum divided by
 * the world size once, by the rank that owns the chunk, so every rank ends with the same bits. {@code MAX} and
 * {@code MIN} propagate NaN, like the tensor kernels' MAX and MIN.
 */
public enum Reduction {
    SUM, AVG, MAX, MIN;

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
