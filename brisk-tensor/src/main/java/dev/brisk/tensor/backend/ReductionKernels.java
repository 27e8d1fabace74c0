package dev.brisk.tensor.backend;

/**
 * Reductions of a contiguous block viewed as (outer, r, inner): the middle axis is reduced.
 *
 * <pre>
 *   out[o·inner + i] = op_{j &lt; r} x[xOff + (o·r + j)·inner + i]
 * </pre>
 *
 * With {@code inner == 1} this reduces rows; otherwise it reduces columns, which vectorises along
 * {@code inner}. {@code r} is at least 1.
 */
public interface ReductionKernels {

    void reduce(ReduceOp op, float[] x, int xOff, int outer, int r, int inner, float[] out, int outOff);

    /**
     * Index of the first maximum ({@code max == true}) or minimum along the middle axis; a NaN counts as the
     * extreme value (first NaN wins), as in PyTorch.
     */
    void argReduce(boolean max, float[] x, int xOff, int outer, int r, int inner, long[] out, int outOff);
}
