package dev.brisk.train;

/**
 * What one optimizer step did and where its time went. Times are wall-clock milliseconds of the training thread:
 * {@code dataMs} waiting for batches, {@code fwdMs} forward + loss, {@code bwdMs} backward, {@code optMs} clipping
 * and the optimizer update; {@code stepMs} is the whole step including the loop's own overhead.
 */
public record StepResult(long step, double loss, double gradNorm, boolean skipped, int samples, long tokens,
                         double dataMs, double fwdMs, double bwdMs, double optMs, double stepMs) {

    /** Time not spent in data, forward, backward or optimizer: the training loop's own overhead. */
    public double overheadMs() {
        return Math.max(0, stepMs - dataMs - fwdMs - bwdMs - optMs);
    }
}
