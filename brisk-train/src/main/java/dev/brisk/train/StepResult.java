package dev.brisk.train;

/**
 * What one optimizer step did and where its time went. Times are wall-clock milliseconds of the training thread:
 * {@code dataMs} waiting for batches, {@code fwdMs} forward + loss, {@code bwdMs} backward, {@code commMs} the
 * gradient synchronisation the step waited for after backward (data-parallel training; 0 in one process),
 * {@code optMs} clipping and the optimizer update; {@code stepMs} is the whole step including the loop's own
 * overhead. {@code commTotalMs} is all of the step's gradient communication, from the first bucket's start to the
 * last one's completion: the part beyond {@code commMs} was hidden behind backward.
 */
public record StepResult(long step, double loss, double gradNorm, boolean skipped, int samples, long tokens,
                         double dataMs, double fwdMs, double bwdMs, double commMs, double commTotalMs, double optMs,
                         double stepMs) {

    /** A step without gradient communication (one process). */
    public StepResult(long step, double loss, double gradNorm, boolean skipped, int samples, long tokens,
                      double dataMs, double fwdMs, double bwdMs, double optMs, double stepMs) {
        this(step, loss, gradNorm, skipped, samples, tokens, dataMs, fwdMs, bwdMs, 0, 0, optMs, stepMs);
    }

    /** Time not spent in data, forward, backward, communication or optimizer: the training loop's own overhead. */
    public double overheadMs() {
        return Math.max(0, stepMs - dataMs - fwdMs - bwdMs - commMs - optMs);
    }
}
