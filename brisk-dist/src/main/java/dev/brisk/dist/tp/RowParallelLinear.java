package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;
import java.util.Objects;

/**
 * {@code Y = Σ_i X_i·A_iᵀ + b} with A's input columns split across the tensor-parallel group and the input
 * already partitioned the same way (Megatron's {@code input_is_parallel=True}): rank i multiplies its slice and g
 * ({@link TpRegions#reduceFromRegion}) sums the partial products. The bias is replicated and added once, after
 * the reduction.
 */
public final class RowParallelLinear extends Module {

    private final ProcessGroup group;
    private final Tensor weight;
    private final Tensor bias;

    /** From this rank's shard: {@code weight (out, in/t)} and the full {@code bias (out)} or null. */
    public RowParallelLinear(Tensor weight, Tensor bias, ProcessGroup group) {
        this.group = Objects.requireNonNull(group, "group");
        this.weight = registerParameter("weight", TpShards.copyOf(weight));
        this.bias = bias == null ? null : registerParameter("bias", TpShards.copyOf(bias));
        describe("in_features_per_rank=" + weight.size(1) + ", out_features=" + weight.size(0) + ", tp="
                + group.size());
    }

    /** Rank {@code group.rank()}'s contiguous share of the input columns of a dense layer. */
    public static RowParallelLinear shard(Linear dense, ProcessGroup group) {
        int t = group.size();
        int in = dense.inFeatures();
        if (in % t != 0) {
            throw new IllegalArgumentException("RowParallelLinear: in_features " + in + " is not divisible by the"
                    + " tensor-parallel size " + t);
        }
        int per = in / t;
        return new RowParallelLinear(dense.weight().narrow(1, group.rank() * per, per), dense.bias(), group);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = TpRegions.reduceFromRegion(x.matmul(weight.t()), group);
        return bias == null ? y : y.add(bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
