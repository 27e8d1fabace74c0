package dev.brisk.compress.prune;

/**
 * The gradual pruning schedule of Zhu &amp; Gupta (2017), "To prune, or not to prune": from step {@code start} to
 * {@code end} the sparsity rises from {@code initial} to {@code target} as
 * <pre>
 *   s(t) = s_f + (s_i − s_f) · (1 − (t − t₀) / (t₁ − t₀))³
 * </pre>
 * fast at first, while the network can recover, and slowly near the end. Before {@code start} it is
 * {@code initial}; after {@code end}, {@code target}.
 */
public record CubicSparsity(double initial, double target, long start, long end) {

    public CubicSparsity {
        if (!(initial >= 0 && initial < 1) || !(target >= 0 && target < 1)) {
            throw new IllegalArgumentException("sparsities must be in [0, 1), got initial " + initial + ", target "
                    + target);
        }
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("the schedule needs 0 ≤ start < end, got start " + start + ", end "
                    + end);
        }
    }

    /** The sparsity at optimizer step {@code step}. */
    public double at(long step) {
        if (step <= start) {
            return initial;
        }
        if (step >= end) {
            return target;
        }
        double left = 1 - (double) (step - start) / (end - start);
        return target + (initial - target) * left * left * left;
    }
}
