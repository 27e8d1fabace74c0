package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;
import java.util.Objects;

/**
 * {@code Y = X·Aᵀ + b} with A's output rows split across the tensor-parallel group: rank i holds rows
 * {@code [i·out/t, (i+1)·out/t)} (or any row subset given at construction) and computes its slice
 * {@code Y_i = f(X)·A_iᵀ + b_i} of the output columns. The input passes through f ({@link TpRegions#copyToRegion}),
 * so its gradient is summed over the group in backward. The output stays partitioned (Megatron's
 * {@code gather_output=False}); a {@link RowParallelLinear} consumes it.
 */
public final class ColumnParallelLinear extends Module {

    private final ProcessGroup group;
    private final Tensor weight;
    private final Tensor bias;

    /** From this rank's shard: {@code weight (out/t, in)}, {@code bias (out/t)} or null. */
    public ColumnParallelLinear(Tensor weight, Tensor bias, ProcessGroup group) {
        this.group = Objects.requireNonNull(group, "group");
        this.weight = registerParameter("weight", TpShards.copyOf(weight));
        this.bias = bias == null ? null : registerParameter("bias", TpShards.copyOf(bias));
        describe("in_features=" + weight.size(1) + ", out_features_per_rank=" + weight.size(0) + ", tp="
                + group.size());
    }

    /** Rank {@code group.rank()}'s contiguous share of the output rows of a dense layer. */
    public static ColumnParallelLinear shard(Linear dense, ProcessGroup group) {
        int t = group.size();
        int out = dense.outFeatures();
        if (out % t != 0) {
            throw new IllegalArgumentException("ColumnParallelLinear: out_features " + out + " is not divisible by the"
                    + " tensor-parallel size " + t);
        }
        int per = out / t;
        int r = group.rank();
        return new ColumnParallelLinear(dense.weight().narrow(0, r * per, per),
                dense.bias() == null ? null : dense.bias().narrow(0, r * per, per), group);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = TpRegions.copyToRegion(x, group).matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
