package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.MAX;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.SoftmaxKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused attention softmax of {@link SoftmaxKernels#attentionSoftmax} and its backward on the Vector API.
 * Row i of each (rows × cols) score matrix sees its first {@code v = causal ? min(i + 1, cols) : cols} columns:
 *
 * <pre>
 *   forward:  m = max_j<v (scale·x);  y = e^(scale·x − m), s = Σ y  (one fused pass);  y ·= 1/s;  y[v..) = 0
 *   backward: d = Σ_j<v g·y;  dx = y·(scale·g − scale·d);  dx[v..) = 0
 * </pre>
 *
 * Columns at or past v are never loaded, so nothing from the future (not even a NaN) reaches a row; a causal
 * row reads on average half of its scores. In-place use (out == x, or out == g) is safe: every pass writes an
 * element only after its last read of that element. Rows are split over the intra-op pool in tasks of at least
 * {@link #GRAIN} elements once a call reaches {@link #PARALLEL_MIN}.
 */
public final class VectorCausalSoftmax {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    static final int PARALLEL_MIN = 1 << 13;
    static final int GRAIN = 1 << 12;

    private VectorCausalSoftmax() {
    }

    /** {@link SoftmaxKernels#attentionSoftmax}. */
    public static void forward(float[] x, int xOff, int batch, int rows, int cols, float scale, boolean causal,
                               float[] out, int outOff) {
        int total = batch * rows;
        if (total <= 0 || cols <= 0) {
            return;
        }
        int per = perTask(total, cols);
        if (per >= total) {
            forwardRows(x, xOff, rows, cols, scale, causal, out, outOff, 0, total);
        } else {
            Parallel.forEach((total + per - 1) / per, t -> forwardRows(x, xOff, rows, cols, scale, causal, out, outOff,
                    t * per, Math.min(total, (t + 1) * per)));
        }
    }

    /** {@link SoftmaxKernels#attentionSoftmaxBackward}. */
    public static void backward(float[] y, int yOff, float[] g, int gOff, int batch, int rows, int cols, float scale,
                                boolean causal, float[] out, int outOff) {
        int total = batch * rows;
        if (total <= 0 || cols <= 0) {
            return;
        }
        int per = perTask(total, cols);
        if (per >= total) {
            backwardRows(y, yOff, g, gOff, rows, cols, scale, causal, out, outOff, 0, total);
        } else {
            Parallel.forEach((total + per - 1) / per, t -> backwardRows(y, yOff, g, gOff, rows, cols, scale, causal,
                    out, outOff, t * per, Math.min(total, (t + 1) * per)));
        }
    }

    /** The first {@code count} lanes (fromLong is an intrinsic; indexInRange measured ~100 ns per call here). */
    private static VectorMask<Float> tail(int count) {
        return VectorMask.fromLong(F, count >= L ? -1L : (1L << count) - 1);
    }

    private static int perTask(int total, int cols) {
        if ((long) total * cols < PARALLEL_MIN || Parallel.threads() == 1 || total == 1) {
            return total;
        }
        return Math.max(1, GRAIN / cols);
    }

    private static void forwardRows(float[] x, int xOff, int rows, int cols, float scale, boolean causal,
                                    float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int visible = causal ? Math.min(r % rows + 1, cols) : cols;
            int xi = xOff + r * cols;
            int oi = outOff + r * cols;
            int padded = Math.min(cols, (visible + L - 1) / L * L);
            float max = scaledMax(x, xi, visible, scale);
            float sum = expStore(x, xi, visible, cols, scale, max, out, oi);
            scaleAndClear(out, oi, padded, cols, 1f / sum);
        }
    }

    /** max_j<n scale·x[j]. */
    private static float scaledMax(float[] x, int xi, int n, float scale) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            m = m.max(FloatVector.fromArray(F, x, xi + i).mul(scale));
        }
        if (i < n) {
            VectorMask<Float> k = tail(n - i);
            m = m.lanewise(MAX, FloatVector.fromArray(F, x, xi + i, k).mul(scale), k);
        }
        return m.reduceLanes(MAX);
    }

    /**
     * y = e^(scale·x − max) for j < n, stored, and 0 for the rest of the last vector; returns Σ y. The tail is
     * stored as a full vector when it fits in the row: a masked store followed by a full load of the same line
     * (the next pass) defeats store-to-load forwarding and stalls every row.
     */
    private static float expStore(float[] x, int xi, int n, int cols, float scale, float max, float[] y, int yi) {
        FloatVector a = FloatVector.broadcast(F, scale);
        FloatVector b = FloatVector.broadcast(F, -max);
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        int i = 0;
        for (int end = n - 2 * L; i <= end; i += 2 * L) {
            FloatVector e0 = FloatVector.fromArray(F, x, xi + i).fma(a, b).lanewise(EXP);
            FloatVector e1 = FloatVector.fromArray(F, x, xi + i + L).fma(a, b).lanewise(EXP);
            e0.intoArray(y, yi + i);
            e1.intoArray(y, yi + i + L);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
        }
        for (; i < n; i += L) {
            VectorMask<Float> k = tail(n - i);
            FloatVector e = FloatVector.zero(F).blend(FloatVector.fromArray(F, x, xi + i, k).fma(a, b).lanewise(EXP), k);
            if (i + L <= cols) {
                e.intoArray(y, yi + i);
            } else {
                e.intoArray(y, yi + i, tail(cols - i));
            }
            s0 = s0.add(e);
        }
        return s0.add(s1).reduceLanes(ADD);
    }

    /** y[j] ·= s for j < n, y[j] = 0 for n ≤ j < cols. */
    private static void scaleAndClear(float[] y, int yi, int n, int cols, float s) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, y, yi + i).mul(s).intoArray(y, yi + i);
        }
        if (i < n) {
            VectorMask<Float> k = tail(n - i);
            FloatVector.fromArray(F, y, yi + i, k).mul(s).intoArray(y, yi + i, k);
        }
        java.util.Arrays.fill(y, yi + n, yi + cols, 0f);
    }

    private static void backwardRows(float[] y, int yOff, float[] g, int gOff, int rows, int cols, float scale,
                                     boolean causal, float[] out, int outOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int visible = causal ? Math.min(r % rows + 1, cols) : cols;
            int yi = yOff + r * cols;
            int gi = gOff + r * cols;
            int oi = outOff + r * cols;
            int padded = Math.min(cols, (visible + L - 1) / L * L);
            float dot = dot(y, yi, g, gi, visible);
            backwardRow(y, yi, g, gi, visible, cols, scale, dot, out, oi);
            java.util.Arrays.fill(out, oi + padded, oi + cols, 0f);
        }
    }

    /** Σ_j<n y·g. */
    private static float dot(float[] y, int yi, float[] g, int gi, int n) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        int i = 0;
        for (int end = n - 2 * L; i <= end; i += 2 * L) {
            s0 = FloatVector.fromArray(F, y, yi + i).fma(FloatVector.fromArray(F, g, gi + i), s0);
            s1 = FloatVector.fromArray(F, y, yi + i + L).fma(FloatVector.fromArray(F, g, gi + i + L), s1);
        }
        for (; i < n; i += L) {
            VectorMask<Float> k = tail(n - i);
            s0 = FloatVector.fromArray(F, y, yi + i, k).fma(FloatVector.fromArray(F, g, gi + i, k), s0);
        }
        return s0.add(s1).reduceLanes(ADD);
    }

    /** dx = y·(scale·g − scale·dot) for j < n, 0 for the rest of the last vector (stored whole when it fits). */
    private static void backwardRow(float[] y, int yi, float[] g, int gi, int n, int cols, float scale, float dot,
                                    float[] out, int oi) {
        FloatVector a = FloatVector.broadcast(F, scale);
        FloatVector b = FloatVector.broadcast(F, -scale * dot);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + i);
            FloatVector.fromArray(F, y, yi + i).mul(gv.fma(a, b)).intoArray(out, oi + i);
        }
        if (i < n) {
            VectorMask<Float> k = tail(n - i);
            FloatVector gv = FloatVector.fromArray(F, g, gi + i, k);
            FloatVector d = FloatVector.zero(F).blend(FloatVector.fromArray(F, y, yi + i, k).mul(gv.fma(a, b)), k);
            if (i + L <= cols) {
                d.intoArray(out, oi + i);
            } else {
                d.intoArray(out, oi + i, tail(cols - i));
            }
        }
    }
}
