package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.ThreadGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D layout of {@code tp × dp} ranks: global rank {@code g = d·tp + i} is tensor-parallel rank i of data-parallel
 * replica d (tensor-parallel peers adjacent, as in Megatron, since they exchange the most data). Each rank belongs
 * to one tensor-parallel group (the tp ranks of its replica) and one data-parallel group (the dp ranks holding the
 * same shard), on which a {@link dev.brisk.dist.ddp.DistributedDataParallel} averages the shard's gradients.
 *
 * @param rank global rank
 * @param tp   this rank's tensor-parallel group
 * @param dp   this rank's data-parallel group
 */
public record TpDpGrid(int rank, ProcessGroup tp, ProcessGroup dp) {

    /** The grid for {@code tp·dp} threads of this JVM; element g is global rank g. */
    public static List<TpDpGrid> threads(int tp, int dp, Duration timeout) {
        if (tp < 1 || dp < 1) {
            throw new IllegalArgumentException("tp and dp must be >= 1, got tp=" + tp + ", dp=" + dp);
        }
        List<List<ThreadGroup>> tpGroups = new ArrayList<>();
        for (int d = 0; d < dp; d++) {
            tpGroups.add(ThreadGroup.create(tp, timeout));
        }
        List<List<ThreadGroup>> dpGroups = new ArrayList<>();
        for (int i = 0; i < tp; i++) {
            dpGroups.add(ThreadGroup.create(dp, timeout));
        }
        List<TpDpGrid> out = new ArrayList<>();
        for (int d = 0; d < dp; d++) {
            for (int i = 0; i < tp; i++) {
                out.add(new TpDpGrid(d * tp + i, tpGroups.get(d).get(i), dpGroups.get(i).get(d)));
            }
        }
        return List.copyOf(out);
    }

    public int tpRank() {
        return tp.rank();
    }

    public int dpRank() {
        return dp.rank();
    }
}
