package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.Module;
import dev.brisk.nn.MultiHeadAttention;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Attention;

/**
 * Multi-head self-attention with the heads split across the tensor-parallel group: rank i owns heads
 * {@code [i·H/t, (i+1)·H/t)}, i.e. the matching rows of each of the Q, K and V blocks of the fused projection
 * (column-parallel) and the matching input columns of the output projection (row-parallel). Each rank attends over
 * its heads alone; one all-reduce forward (after proj) and one backward (before qkv). An optional dropout on the
 * rank's head outputs lies inside the partitioned region and draws from the partitioned stream ({@link TpRng}).
 */
public final class TpAttention extends Module {

    private final int localHeads;
    private final int headSize;
    private final boolean causal;
    private final ColumnParallelLinear qkv;
    private final RowParallelLinear proj;
    private final Dropout headDropout;

    private TpAttention(int localHeads, int headSize, boolean causal, ColumnParallelLinear qkv,
                        RowParallelLinear proj, Dropout headDropout) {
        this.localHeads = localHeads;
        this.headSize = headSize;
        this.causal = causal;
        this.qkv = registerModule("qkv", qkv);
        this.proj = registerModule("proj", proj);
        this.headDropout = headDropout == null ? null : registerModule("head_drop", headDropout);
        describe("local_heads=" + localHeads + ", head_size=" + headSize + ", causal=" + causal);
    }

    /**
     * This rank's heads of a dense attention layer with {@code numHeads} heads; {@code headDropout} (0 for none)
     * draws from {@code partitionedRng}.
     */
    public static TpAttention shard(MultiHeadAttention dense, int numHeads, boolean causal, ProcessGroup group,
                                    double headDropout, Rng partitionedRng) {
        int t = group.size();
        int c = dense.proj().inFeatures();
        if (numHeads % t != 0 || c % numHeads != 0) {
            throw new IllegalArgumentException("TpAttention: " + numHeads + " heads cannot be split over " + t
                    + " tensor-parallel ranks (heads must be divisible by the tp size, embed dim " + c
                    + " by the heads)");
        }
        int local = numHeads / t;
        int hs = c / numHeads;
        int start = group.rank() * local * hs;
        int n = local * hs;
        ColumnParallelLinear qkv = new ColumnParallelLinear(TpShards.rowsOfBlocks(dense.qkv().weight(), 3, start, n),
                dense.qkv().bias() == null ? null : TpShards.rowsOfBlocks(dense.qkv().bias(), 3, start, n), group);
        RowParallelLinear proj = RowParallelLinear.shard(dense.proj(), group);
        Dropout drop = headDropout > 0 ? new Dropout((float) headDropout, partitionedRng) : null;
        return new TpAttention(local, hs, causal, qkv, proj, drop);
    }

    @Override
    public Tensor forward(Tensor x) {
        int b = x.size(0);
        int t = x.size(1);
        int width = localHeads * headSize;
        // (B, T, C) -> (B, T, 3·C/t) -> (B, T, 3, H/t, hs) -> (3, B, H/t, T, hs)
        Tensor heads = qkv.forward(x).view(b, t, 3, localHeads, headSize).permute(2, 0, 3, 1, 4);
        Tensor q = heads.select(0, 0).contiguous();
        Tensor k = heads.select(0, 1).contiguous();
        Tensor v = heads.select(0, 2).contiguous();
        Tensor y = Attention.scaledDotProduct(q, k, v, causal, (float) (1 / Math.sqrt(headSize)));
        y = y.transpose(1, 2).reshape(b, t, width);
        if (headDropout != null) {
            y = headDropout.forward(y);
        }
        return proj.forward(y);
    }

    public ColumnParallelLinear qkv() {
        return qkv;
    }

    public RowParallelLinear proj() {
        return proj;
    }
}
