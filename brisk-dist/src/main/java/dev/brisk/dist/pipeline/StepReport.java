package dev.brisk.dist.pipeline;

/**
 * What one pipeline step did on one stage.
 *
 * @param loss            the step's mean loss (the same on every stage)
 * @param skipped         some stage found a non-finite gradient, so no stage stepped
 * @param nonFiniteHere   this stage found one
 * @param scheduleSeconds wall time of the schedule on this stage (first action to last)
 * @param busySeconds     time spent computing forwards and backwards
 * @param bubble          measured idle fraction {@code 1 − busy/schedule}: waiting for neighbours plus
 *                        communication
 * @param idealBubble     {@code (p−1)/(m+p−1)}
 * @param peakInFlight    most micro-batches whose activations this stage held at once
 * @param peakActivationBytes most bytes of saved activations held at once
 */
public record StepReport(int stage, int stages, int microBatches, PipelineSchedule schedule, double loss,
                         boolean skipped, boolean nonFiniteHere, double scheduleSeconds, double busySeconds,
                         double bubble, double idealBubble, int peakInFlight, long peakActivationBytes) {
}
