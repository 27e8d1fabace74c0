package dev.brisk.data;

/**
 * Delivery counters since the loader's first batch request: {@code waitNanos} is the time the training thread
 * spent blocked waiting for batches (the data stall), {@code elapsedNanos} the wall time since that first
 * request (up to the last delivery).
 */
public record LoaderStats(long batches, long samples, long waitNanos, long elapsedNanos) {

    /** Share of the elapsed time the training thread waited for data, 0..1. */
    public double stallFraction() {
        return elapsedNanos == 0 ? 0 : Math.min(1, (double) waitNanos / elapsedNanos);
    }

    public double waitSeconds() {
        return waitNanos / 1e9;
    }
}
