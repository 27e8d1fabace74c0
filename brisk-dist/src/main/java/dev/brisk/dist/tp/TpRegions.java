package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two conjugate communication points of Megatron tensor parallelism (Shoeybi et al. 2019), as autograd ops:
 * <ul>
 *   <li>{@link #copyToRegion} ("f"): identity forward; all-reduce (sum) of the input gradient backward — where a
 *       replicated activation enters a column-parallel layer, each rank's partial gradient is summed;</li>
 *   <li>{@link #reduceFromRegion} ("g"): all-reduce (sum) forward; identity backward — where the partial outputs of
 *       a row-parallel layer leave the partitioned region.</li>
 * </ul>
 * A tensor-parallel MLP or attention therefore costs one all-reduce forward and one backward. The counters record
 * how many each group issued, for tests and benchmarks.
 */
public final class TpRegions {

    private static final AtomicLong FORWARD_REDUCES = new AtomicLong();
    private static final AtomicLong BACKWARD_REDUCES = new AtomicLong();

    private TpRegions() {
    }

    /** f: {@code x} unchanged; its gradient is summed over the group in backward. */
    public static Tensor copyToRegion(Tensor x, ProcessGroup group) {
        if (group.size() == 1) {
            return x;
        }
        Tensor out = x.detach();
        return Graph.recordSaving(out, "tp_copy_to_region", g -> new Tensor[] {allReduced(g, group, BACKWARD_REDUCES)},
                new Tensor[0], x);
    }

    /** g: the sum of {@code x} over the group; the gradient passes through unchanged. */
    public static Tensor reduceFromRegion(Tensor x, ProcessGroup group) {
        if (group.size() == 1) {
            return x;
        }
        Tensor out;
        try (var ng = GradMode.noGrad()) {
            out = allReduced(x, group, FORWARD_REDUCES);
        }
        return Graph.recordSaving(out, "tp_reduce_from_region", g -> new Tensor[] {g}, new Tensor[0], x);
    }

    private static Tensor allReduced(Tensor t, ProcessGroup group, AtomicLong counter) {
        float[] data = t.to(DType.F32).contiguous().toFloatArray();
        group.allReduce(data, Reduction.SUM);
        counter.incrementAndGet();
        return Tensor.of(data, t.shape());
    }

    /** All-reduces issued in forward (by g) since the JVM started, over every group. */
    public static long forwardAllReduces() {
        return FORWARD_REDUCES.get();
    }

    /** All-reduces issued in backward (by f) since the JVM started, over every group. */
    public static long backwardAllReduces() {
        return BACKWARD_REDUCES.get();
    }
}
