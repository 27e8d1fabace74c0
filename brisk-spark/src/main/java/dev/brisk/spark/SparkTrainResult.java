package dev.brisk.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome at the driver: rank 0's trained weights, every rank's result, and timings. {@code wallSeconds} is
 * the barrier job from submission to the collected results; {@link #startupSeconds()} is the part before rank 0's
 * first step (scheduling, task start, rendezvous, data and model set-up).
 */
public record SparkTrainResult(Map<String, Tensor> model, List<RankResult> ranks, Path runDir, double wallSeconds) {

    /** Steps whose time counts as start-up and warm-up, left out of {@link #meanStepMs()}. */
    public static final int WARMUP_STEPS = 10;

    public RankResult lead() {
        return ranks.getFirst();
    }

    /** Job wall time not spent in rank 0's training loop. */
    public double startupSeconds() {
        return wallSeconds - lead().fitSeconds();
    }

    /** Rank 0's mean step time after the first {@value #WARMUP_STEPS} steps. */
    public double meanStepMs() {
        return lead().meanStepMs(WARMUP_STEPS);
    }

    /** A summary as JSON (what {@code spark.json} in the run directory holds). */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("ranks", ranks.size());
        o.put("wall_s", wallSeconds);
        o.put("startup_s", startupSeconds());
        o.put("mean_step_ms", meanStepMs());
        o.put("warmup_steps", WARMUP_STEPS);
        ArrayNode per = o.putArray("per_rank");
        for (RankResult r : ranks) {
            ObjectNode p = per.addObject();
            p.put("rank", r.rank());
            p.put("host", r.host());
            p.put("stage_attempt", r.stageAttempt());
            p.put("steps", r.steps());
            p.put("resumed_from_step", r.resumedStep());
            p.put("train_samples", r.trainSamples());
            p.put("last_loss", r.lastLoss());
            if (!Double.isNaN(r.evalLoss())) {
                p.put("eval_loss", r.evalLoss());
                p.put("eval_accuracy", r.evalAccuracy());
            }
            p.put("fit_s", r.fitSeconds());
            p.put("rank_setup_ms", r.startupMs());
            p.put("mean_step_ms", r.meanStepMs(WARMUP_STEPS));
        }
        return o.toPrettyString();
    }
}
