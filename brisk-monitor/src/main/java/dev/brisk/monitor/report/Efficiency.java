package dev.brisk.monitor.report;

/**
 * The numbers of an efficiency report. Fractions are of the steady-state step time unless said otherwise.
 *
 * @param steps             steps measured (after warm-up)
 * @param samplesPerS       training samples per second of step time (per process)
 * @param mfu               model FLOPs utilisation, 0..1 (0 when the FLOPs are unknown)
 * @param dataFraction      waiting for batches: the data stall
 * @param fwdFraction       forward and loss
 * @param bwdFraction       backward
 * @param commExposedFraction gradient communication the step waited for
 * @param optFraction       clipping and the optimizer update
 * @param otherFraction     the loop's own overhead
 * @param commHiddenFraction the share of all gradient communication that overlapped backward (0..1; 0 without any)
 * @param outsideStepsFraction share of the run's wall time spent outside training steps (evaluation, checkpoints,
 *                          start-up of the loop)
 * @param memory            the memory breakdown
 */
public record Efficiency(long steps, double samplesPerS, double mfu, double dataFraction, double fwdFraction,
                         double bwdFraction, double commExposedFraction, double optFraction, double otherFraction,
                         double commHiddenFraction, double outsideStepsFraction, Memory memory) {

    /**
     * Memory in bytes: tensors the run owns and the JVM heap.
     *
     * @param parameters      parameter storage
     * @param gradients       gradient storage
     * @param optimizerState  optimizer state (moments)
     * @param peakActivations the most activation memory a step's graph held for backward
     * @param heapPeak        the largest heap use seen after a step
     * @param heapMax         the heap limit (-Xmx)
     */
    public record Memory(long parameters, long gradients, long optimizerState, long peakActivations, long heapPeak,
                         long heapMax) {

        public static Memory none() {
            return new Memory(0, 0, 0, 0, 0, 0);
        }
    }

    /** Derives the fractions from step sums, the run's wall time and the FLOPs figures. */
    public static Efficiency of(StepTotals totals, double wallSeconds, double flopsPerSample, double peakFlops,
                                Memory memory) {
        StepTotals t = totals.steady();
        double ms = t.stepMs();
        double secs = ms / 1e3;
        double sps = secs > 0 ? t.samples() / secs : 0;
        double mfu = flopsPerSample > 0 && peakFlops > 0 ? flopsPerSample * sps / peakFlops : 0;
        double all = totals.allStepMs() / 1e3;
        double outside = wallSeconds > 0 ? Math.max(0, Math.min(1, (wallSeconds - all) / wallSeconds)) : 0;
        double hidden = t.commTotalMs() > 0 ? Math.max(0, t.commTotalMs() - t.commExposedMs()) / t.commTotalMs() : 0;
        return new Efficiency(t.steps(), sps, mfu, frac(t.dataMs(), ms), frac(t.fwdMs(), ms), frac(t.bwdMs(), ms),
                frac(t.commExposedMs(), ms), frac(t.optMs(), ms), frac(t.otherMs(), ms), hidden, outside, memory);
    }

    private static double frac(double part, double whole) {
        return whole > 0 ? part / whole : 0;
    }
}
