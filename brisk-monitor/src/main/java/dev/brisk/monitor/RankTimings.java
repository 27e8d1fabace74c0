package dev.brisk.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.util.Objects;

/**
 * Per-rank step timings in the metrics of a data-parallel run. Only rank 0 writes metrics.jsonl, and the ranks
 * run in lock-step, so a straggler shows up not in rank 0's step time but in how long the others wait for it: in
 * their exposed communication. At every step that gets a metrics record, each rank puts its own step, data,
 * exposed and total communication milliseconds into its slots of one small buffer (4 floats per rank, zero
 * elsewhere) that a sum all-reduce fills in on every rank, and rank 0's record gets them as arrays indexed by rank:
 * {@code rank_step_ms}, {@code rank_data_ms}, {@code rank_comm_ms}, {@code rank_comm_total_ms}. This is one extra
 * collective of a few bytes per record ({@code report.every_steps}), and none on the other steps. Every rank of
 * the group must add it.
 */
public final class RankTimings implements TrainerCallback {

    /** The record fields, in the buffer's order. */
    public static final String[] FIELDS = {"rank_step_ms", "rank_data_ms", "rank_comm_ms", "rank_comm_total_ms"};

    private final ProcessGroup group;

    public RankTimings(ProcessGroup group) {
        this.group = Objects.requireNonNull(group, "group");
    }

    @Override
    public void beforeStepRecord(Trainer trainer, StepResult r, ObjectNode record) {
        int ranks = group.size();
        float[] buf = new float[FIELDS.length * ranks]; // field-major: buf[field * ranks + rank]
        float[] mine = {(float) r.stepMs(), (float) r.dataMs(), (float) r.commMs(), (float) r.commTotalMs()};
        for (int f = 0; f < FIELDS.length; f++) {
            buf[f * ranks + group.rank()] = mine[f];
        }
        group.allReduce(buf, Reduction.SUM); // x + 0 + ... = x exactly: each slot has one contributor
        for (int f = 0; f < FIELDS.length; f++) {
            ArrayNode a = record.putArray(FIELDS[f]);
            for (int rank = 0; rank < ranks; rank++) {
                a.add(Math.round(buf[f * ranks + rank] * 1000.0) / 1000.0); // µs resolution, as float carries it
            }
        }
    }
}
