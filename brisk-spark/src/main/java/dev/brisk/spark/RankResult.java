package dev.brisk.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one barrier task (one Brisk rank) sends back to the driver: its summary, its per-step records (one JSON object
 * per optimizer step, for the driver to write as {@code ranks/rank-N.jsonl}) and, from rank 0 only, the trained
 * model as safetensors bytes (every replica is identical after data-parallel training, so one copy is enough).
 *
 * @param startupMs   task start to the process group being formed (allGather, store, mesh): the start-up cost
 * @param resumedStep the step of the checkpoint this attempt resumed from, or 0
 * @param evalLoss    the final evaluation's loss, NaN without evaluation data
 */
public record RankResult(int rank, int worldSize, int stageAttempt, String host, long steps, double lastLoss,
                         double evalLoss, double evalAccuracy, double fitSeconds, double startupMs, long resumedStep,
                         int trainSamples, List<String> stepRecords, byte[] model) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Mean {@code step_ms} over the steps after the first {@code skip} (start-up and warm-up), NaN if none. */
    public double meanStepMs(int skip) {
        return StepRecords.meanStepMs(stepRecords, skip);
    }
}
