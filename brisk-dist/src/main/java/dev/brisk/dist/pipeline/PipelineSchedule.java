package dev.brisk.dist.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which one pipeline stage runs the forward (F) and backward (B) passes of the m micro-batches of a
 * step. Both schedules have the same bubble, {@code (p−1)/(m+p−1)} of the step with uniform stages; they differ in
 * how many micro-batches' activations a stage holds at once.
 * <ul>
 *   <li>{@link #GPIPE}: all m forwards, then all m backwards — stage s holds m micro-batches.</li>
 *   <li>{@link #ONE_F_ONE_B} (PipeDream-Flush, Megatron's default): {@code min(p−s−1, m)} warm-up forwards, then
 *       alternate one forward and one backward, then the remaining backwards — stage s holds at most
 *       {@code min(p−s, m)}, so never more than p.</li>
 * </ul>
 */
public enum PipelineSchedule {
    GPIPE,
    ONE_F_ONE_B;

    /** One pass of one micro-batch on one stage. */
    public record Action(boolean forward, int microBatch) {
        @Override
        public String toString() {
            return (forward ? "F" : "B") + microBatch;
        }
    }

    /** The actions stage {@code stage} of {@code stages} runs in one step of {@code microBatches}, in order. */
    public List<Action> actions(int stages, int stage, int microBatches) {
        if (stages < 1 || stage < 0 || stage >= stages || microBatches < 1) {
            throw new IllegalArgumentException("schedule needs stages >= 1, 0 <= stage < stages, micro-batches >= 1;"
                    + " got stages=" + stages + ", stage=" + stage + ", micro-batches=" + microBatches);
        }
        List<Action> out = new ArrayList<>(2 * microBatches);
        if (this == GPIPE) {
            for (int i = 0; i < microBatches; i++) {
                out.add(new Action(true, i));
            }
            for (int i = 0; i < microBatches; i++) {
                out.add(new Action(false, i));
            }
            return out;
        }
        int warmup = Math.min(stages - stage - 1, microBatches);
        for (int i = 0; i < warmup; i++) {
            out.add(new Action(true, i));
        }
        int steady = microBatches - warmup;
        for (int i = 0; i < steady; i++) {
            out.add(new Action(true, warmup + i));
            out.add(new Action(false, i));
        }
        for (int i = steady; i < microBatches; i++) {
            out.add(new Action(false, i));
        }
        return out;
    }

    /** The bubble fraction of a step with uniform stages: idle time over total time, {@code (p−1)/(m+p−1)}. */
    public static double idealBubble(int stages, int microBatches) {
        return (stages - 1) / (double) (microBatches + stages - 1);
    }

    /** Parses {@code gpipe} or {@code 1f1b} (case-insensitive), for command lines. */
    public static PipelineSchedule parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "gpipe" -> GPIPE;
            case "1f1b", "one_f_one_b" -> ONE_F_ONE_B;
            default -> throw new IllegalArgumentException("unknown pipeline schedule '" + name
                    + "': expected gpipe or 1f1b");
        };
    }
}
