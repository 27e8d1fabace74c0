package dev.brisk.dist.tp;

import dev.brisk.tensor.Tensor;

/** Copies of slices of dense weights, for building a rank's shard (never a view: the shard owns its storage). */
final class TpShards {

    private TpShards() {
    }

    /** A fresh F32 leaf with {@code t}'s values and shape. */
    static Tensor copyOf(Tensor t) {
        return Tensor.of(t.toFloatArray(), t.shape());
    }

    /** Rows {@code [start, start+n)} of each of {@code blocks} equal consecutive row blocks of {@code t}, stacked. */
    static Tensor rowsOfBlocks(Tensor t, int blocks, int start, int n) {
        int rows = t.size(0) / blocks;
        Tensor[] parts = new Tensor[blocks];
        for (int b = 0; b < blocks; b++) {
            parts[b] = copyOf(t.narrow(0, b * rows + start, n));
        }
        return Tensor.cat(0, parts);
    }
}
