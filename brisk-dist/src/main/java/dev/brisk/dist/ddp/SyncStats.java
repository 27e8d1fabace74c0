package dev.brisk.dist.ddp;

/**
 * Communication of one synchronised step ({@link GradientSync#finishGradients()}).
 *
 * @param buckets                  gradient buckets all-reduced
 * @param bucketsStartedInBackward of those, how many were started by gradient-ready hooks before backward returned
 *                                 (the rest were started by {@code finishGradients}: parameters without a gradient
 *                                 in the last backward, or buckets waiting behind them)
 * @param bytes                    gradient bytes all-reduced by this rank (F32)
 * @param commMs                   from the first bucket's start to the last bucket's completion
 * @param exposedMs                time {@code finishGradients} waited for communication: not hidden behind backward
 * @param hiddenMs                 {@code commMs − exposedMs} (at least 0): communication that overlapped backward
 * @param finishMs                 all of {@code finishGradients}: late copies, waiting and copying results back
 */
public record SyncStats(int buckets, int bucketsStartedInBackward, long bytes, double commMs, double exposedMs,
                        double hiddenMs, double finishMs) {

    /** Nothing communicated (one process, or a step inside {@code noSync}). */
    public static final SyncStats NONE = new SyncStats(0, 0, 0, 0, 0, 0, 0);

    /** The fraction of communication time hidden behind backward, in [0, 1] (1 when nothing was communicated). */
    public double overlap() {
        return commMs <= 0 ? 1 : hiddenMs / commMs;
    }
}
