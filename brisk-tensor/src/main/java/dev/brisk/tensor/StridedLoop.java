package dev.brisk.tensor;

/**
 * Iterates k strided operands of one shape as rows: all dims but the last are walked with an odometer, the last
 * dim is handed to a kernel as one run. Dims that are contiguous for every operand are merged first, so a
 * contiguous tensor is one run however many dims it has, and {@code (B,C,H,W) + (1,C,1,1)} becomes B·C runs of
 * H·W. Large loops with many rows are split over the intra-op pool; kernels called from inside a task then run
 * serially (the pool never nests), while a single long run is left to the kernel to parallelise.
 */
final class StridedLoop {

    /** Work below this many elements stays on the calling thread. */
    static final int PARALLEL_MIN_ELEMENTS = 1 << 15;

    @FunctionalInterface
    interface RowBody {
        /** One run of {@code n} elements starting at {@code offsets[k]} in operand k; the array is reused. */
        void row(int[] offsets, int n);
    }

    private final int[] outerShape;
    private final int[][] outerStrides; // [operand][dim]
    private final int[] innerStrides;   // [operand]
    private final int inner;
    private final int rows;

    private StridedLoop(int[] outerShape, int[][] outerStrides, int[] innerStrides, int inner, int rows) {
        this.outerShape = outerShape;
        this.outerStrides = outerStrides;
        this.innerStrides = innerStrides;
        this.inner = inner;
        this.rows = rows;
    }

    /** {@code strides[k]} are operand k's strides over {@code shape} (0 where broadcast). */
    static StridedLoop of(int[] shape, int[]... strides) {
        int k = strides.length;
        // drop size-1 dims, then merge dim i into i+1 where every operand is contiguous across the pair
        int[] dims = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = n > 0;
            for (int o = 0; o < k && merge; o++) {
                merge = st[o][n - 1] == strides[o][d] * shape[d];
            }
            if (merge) {
                dims[n - 1] *= shape[d];
                for (int o = 0; o < k; o++) {
                    st[o][n - 1] = strides[o][d];
                }
            } else {
                dims[n] = shape[d];
                for (int o = 0; o < k; o++) {
                    st[o][n] = strides[o][d];
                }
                n++;
            }
        }
        if (n == 0) { // a single element
            int[][] os = new int[k][0];
            return new StridedLoop(new int[0], os, new int[k], Shapes.numel(shape) == 0 ? 0 : 1,
                    Shapes.numel(shape) == 0 ? 0 : 1);
        }
        int[] outer = new int[n - 1];
        System.arraycopy(dims, 0, outer, 0, n - 1);
        int[][] os = new int[k][n - 1];
        int[] is = new int[k];
        for (int o = 0; o < k; o++) {
            System.arraycopy(st[o], 0, os[o], 0, n - 1);
            is[o] = st[o][n - 1];
        }
        int rows = Shapes.numel(outer);
        return new StridedLoop(outer, os, is, dims[n - 1], rows);
    }

    /** The last-dim stride of operand {@code k} after merging (kernels want 0 or 1). */
    int innerStride(int k) {
        return innerStrides[k];
    }

    int inner() {
        return inner;
    }

    /** Runs {@code body} over every row; {@code bases[k]} is operand k's storage offset. */
    void run(int[] bases, RowBody body) {
        long total = (long) rows * inner;
        if (total == 0) {
            return;
        }
        int threads = Parallel.threads();
        if (rows == 1 || threads == 1 || total < PARALLEL_MIN_ELEMENTS) {
            runRange(bases, 0, rows, body);
            return;
        }
        int minRowsPerTask = Math.max(1, (PARALLEL_MIN_ELEMENTS / 4) / Math.max(inner, 1));
        int tasks = Math.min(threads * 4, Math.max(1, rows / minRowsPerTask));
        Parallel.forEach(tasks, t -> {
            int from = (int) ((long) rows * t / tasks);
            int to = (int) ((long) rows * (t + 1) / tasks);
            runRange(bases, from, to, body);
        });
    }

    private void runRange(int[] bases, int from, int to, RowBody body) {
        int k = bases.length;
        int nd = outerShape.length;
        int[] idx = new int[nd];
        int[] off = new int[k];
        // position the odometer at row 'from'
        int rem = from;
        for (int d = nd - 1; d >= 0; d--) {
            idx[d] = rem % outerShape[d];
            rem /= outerShape[d];
        }
        for (int o = 0; o < k; o++) {
            int v = bases[o];
            for (int d = 0; d < nd; d++) {
                v += idx[d] * outerStrides[o][d];
            }
            off[o] = v;
        }
        int[] view = new int[k];
        for (int r = from; r < to; r++) {
            System.arraycopy(off, 0, view, 0, k);
            body.row(view, inner);
            for (int d = nd - 1; d >= 0; d--) {
                if (++idx[d] < outerShape[d]) {
                    for (int o = 0; o < k; o++) {
                        off[o] += outerStrides[o][d];
                    }
                    break;
                }
                idx[d] = 0;
                for (int o = 0; o < k; o++) {
                    off[o] -= (outerShape[d] - 1) * outerStrides[o][d];
                }
            }
        }
    }
}
