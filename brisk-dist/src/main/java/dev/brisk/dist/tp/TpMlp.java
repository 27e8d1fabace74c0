package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.nn.GELU;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Tensor;

/**
 * The tensor-parallel transformer MLP: {@code h → r·h} column-parallel, GELU on each rank's slice (elementwise,
 * so no communication), {@code r·h → h} row-parallel. One all-reduce forward (after fc2), one backward (before
 * fc1). Children fc1, act, fc2.
 */
public final class TpMlp extends Module {

    private final ColumnParallelLinear fc1;
    private final GELU act;
    private final RowParallelLinear fc2;

    public TpMlp(ColumnParallelLinear fc1, RowParallelLinear fc2) {
        this.fc1 = registerModule("fc1", fc1);
        this.act = registerModule("act", new GELU());
        this.fc2 = registerModule("fc2", fc2);
    }

    /** This rank's shard of a dense {@code Sequential(Linear, GELU, Linear)} (as in TransformerBlock's mlp). */
    public static TpMlp shard(Sequential dense, ProcessGroup group) {
        if (dense.size() != 3 || !(dense.get(0) instanceof Linear l1) || !(dense.get(1) instanceof GELU)
                || !(dense.get(2) instanceof Linear l2)) {
            throw new IllegalArgumentException("TpMlp.shard needs Sequential(Linear, GELU, Linear), got " + dense);
        }
        return new TpMlp(ColumnParallelLinear.shard(l1, group), RowParallelLinear.shard(l2, group));
    }

    @Override
    public Tensor forward(Tensor x) {
        return fc2.forward(act.forward(fc1.forward(x)));
    }

    public ColumnParallelLinear fc1() {
        return fc1;
    }

    public RowParallelLinear fc2() {
        return fc2;
    }
}
