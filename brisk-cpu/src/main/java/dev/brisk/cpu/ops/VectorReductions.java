package dev.brisk.cpu.ops;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.ReduceOp;
import dev.brisk.tensor.backend.ReductionKernels;

/**
 * Vector API reductions over the (outer, r, inner) layout. {@code inner == 1} reduces rows with
 * {@link RowReductions}; {@code inner > 1} accumulates columns with {@link ColumnReductions}.
 *
 * <p>Accuracy: MAX, MIN, argmax and argmin are exact (NaN propagates; the first NaN wins an arg reduction).
 * Row sums accumulate 4096-element blocks in float and the blocks in double; column sums are Kahan-compensated.
 *
 * <p>Parallel policy: blocks of fewer than {@link #PARALLEL_MIN} elements stay on the caller. Larger ones
 * are split over {@code outer} (whole rows or (r, inner) slabs per task); with {@code outer == 1} a row is
 * split into fixed {@link RowReductions#SUM_BLOCK} blocks whose float partials the caller adds in order, and a
 * column block is split along {@code inner}. Chunking depends only on the shape, never on the thread count,
 * so results are bit-identical for any number of threads. Only the parallel path allocates.
 */
public final class VectorReductions implements ReductionKernels {

    /** Elements from which a reduction is split across threads. */
    static final int PARALLEL_MIN = 1 << 15;
    /** Elements per task, at least. */
    static final int GRAIN = 1 << 14;

    @Override
    public void reduce(ReduceOp op, float[] x, int xOff, int outer, int r, int inner, float[] out, int outOff) {
        long total = (long) outer * r * inner;
        boolean parallel = total >= PARALLEL_MIN && Parallel.threads() > 1;
        if (inner == 1) {
            if (parallel && outer == 1) {
                out[outOff] = longRow(op, x, xOff, r);
            } else if (parallel) {
                int rows = perTask(r, outer);
                Parallel.forEach(ceilDiv(outer, rows),
                        t -> rows(op, x, xOff, r, out, outOff, t * rows, Math.min(outer, (t + 1) * rows)));
            } else {
                rows(op, x, xOff, r, out, outOff, 0, outer);
            }
        } else if (parallel && outer > 1) {
            int slabs = perTask((long) r * inner, outer);
            Parallel.forEach(ceilDiv(outer, slabs), t -> {
                for (int o = t * slabs, e = Math.min(outer, (t + 1) * slabs); o < e; o++) {
                    columns(op, x, xOff + o * r * inner, r, inner, out, outOff + o * inner, 0, inner);
                }
            });
        } else if (parallel) {
            int cols = Math.max(Simd.F.length(), perTask(r, inner) / Simd.F.length() * Simd.F.length());
            Parallel.forEach(ceilDiv(inner, cols), t -> columns(op, x, xOff, r, inner, out, outOff,
                    t * cols, Math.min(inner, (t + 1) * cols)));
        } else {
            for (int o = 0; o < outer; o++) {
                columns(op, x, xOff + o * r * inner, r, inner, out, outOff + o * inner, 0, inner);
            }
        }
    }

    @Override
    public void argReduce(boolean max, float[] x, int xOff, int outer, int r, int inner, long[] out, int outOff) {
        long total = (long) outer * r * inner;
        if (total >= PARALLEL_MIN && outer > 1 && Parallel.threads() > 1) {
            int slabs = perTask((long) r * inner, outer);
            Parallel.forEach(ceilDiv(outer, slabs),
                    t -> args(max, x, xOff, r, inner, out, outOff, t * slabs, Math.min(outer, (t + 1) * slabs)));
        } else {
            args(max, x, xOff, r, inner, out, outOff, 0, outer);
        }
    }

    private static void rows(ReduceOp op, float[] x, int xOff, int r, float[] out, int outOff, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            int p = xOff + o * r;
            out[outOff + o] = switch (op) {
                case SUM -> (float) RowReductions.sum(x, p, r);
                case MAX -> RowReductions.max(x, p, r);
                case MIN -> RowReductions.min(x, p, r);
            };
        }
    }

    /** One long row split into fixed blocks; partials combined in block order, as the serial path does. */
    private static float longRow(ReduceOp op, float[] x, int xOff, int r) {
        int block = RowReductions.SUM_BLOCK;
        float[] partial = new float[ceilDiv(r, block)];
        Parallel.forEach(partial.length, b -> {
            int s = b * block;
            int n = Math.min(block, r - s);
            partial[b] = switch (op) {
                case SUM -> RowReductions.sumBlock(x, xOff + s, n);
                case MAX -> RowReductions.max(x, xOff + s, n);
                case MIN -> RowReductions.min(x, xOff + s, n);
            };
        });
        return switch (op) {
            case SUM -> {
                double acc = 0;
                for (float p : partial) {
                    acc += p;
                }
                yield (float) acc;
            }
            case MAX -> RowReductions.max(partial, 0, partial.length);
            case MIN -> RowReductions.min(partial, 0, partial.length);
        };
    }

    private static void columns(ReduceOp op, float[] x, int base, int r, int inner, float[] out, int ob,
                                int c0, int c1) {
        switch (op) {
            case SUM -> ColumnReductions.sum(x, base, r, inner, out, ob, c0, c1);
            case MAX -> ColumnReductions.max(x, base, r, inner, out, ob, c0, c1);
            case MIN -> ColumnReductions.min(x, base, r, inner, out, ob, c0, c1);
        }
    }

    private static void args(boolean max, float[] x, int xOff, int r, int inner, long[] out, int outOff,
                             int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            int base = xOff + o * r * inner;
            if (inner == 1) {
                float best = max ? RowReductions.max(x, base, r) : RowReductions.min(x, base, r);
                out[outOff + o] = RowReductions.indexOf(best, x, base, r);
            } else {
                ColumnReductions.arg(max, x, base, r, inner, out, outOff + o * inner, 0, inner);
            }
        }
    }

    /** How many units of {@code unitSize} elements make a task of at least {@link #GRAIN}, capped at count. */
    private static int perTask(long unitSize, int count) {
        return (int) Math.min(count, Math.max(1, (GRAIN + unitSize - 1) / unitSize));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
