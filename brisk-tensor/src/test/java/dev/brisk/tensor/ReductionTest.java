package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertClose;
import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reductions over any dims (single, consecutive, non-consecutive, negative, keepDim, empty = all) on several
 * layouts, against naive loops that visit every input element and route it to its output by zeroing the
 * reduced coordinates.
 */
class ReductionTest {

    static final int[] SHAPE = {3, 17, 5, 33};

    static final int[][] DIM_SETS = {
        {0}, {1}, {2}, {3}, {-1}, {-3}, {1, 2}, {2, 3}, {0, 1, 2, 3}, {}, {0, 2}, {1, 3}, {0, 3}, {-1, -3}, {0, 1, 3},
        {3, 0},
    };

    /** Normalised sorted dims; empty means all. */
    static boolean[] reducedMask(int[] dims, int rank) {
        boolean[] m = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(m, true);
        }
        for (int d : dims) {
            m[d < 0 ? d + rank : d] = true;
        }
        return m;
    }

    static int[] outShape(int[] shape, boolean[] red, boolean keepDim) {
        int[] o = new int[shape.length];
        int j = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!red[d]) {
                o[j++] = shape[d];
            } else if (keepDim) {
                o[j++] = 1;
            }
        }
        return Arrays.copyOf(o, j);
    }

    /** Output flat index (keepDim layout, same order as without) of input position {@code idx}. */
    static int outFlat(int[] idx, int[] shape, boolean[] red) {
        int p = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!red[d]) {
                p = p * shape[d] + idx[d];
            }
        }
        return p;
    }

    enum Kind { SUM, MAX, MIN, MEAN, VAR0, VAR1, LSE }

    /** The reduction written as a naive loop in double. */
    static double[] naive(Kind kind, float[] x, int[] shape, boolean[] red) {
        int outN = TestSupport.numel(outShape(shape, red, false));
        int count = x.length / Math.max(outN, 1);
        double[] acc = new double[outN];
        double[] sq = new double[outN];
        switch (kind) {
            case MAX, LSE -> Arrays.fill(acc, Double.NEGATIVE_INFINITY);
            case MIN -> Arrays.fill(acc, Double.POSITIVE_INFINITY);
            default -> { }
        }
        boolean[] nan = new boolean[outN];
        for (int i = 0; i < x.length; i++) {
            int o = outFlat(TestSupport.unravel(i, shape), shape, red);
            double v = x[i];
            nan[o] |= Double.isNaN(v);
            switch (kind) {
                case SUM, MEAN, VAR0, VAR1 -> acc[o] += v;
                case MAX, LSE -> acc[o] = Math.max(acc[o], v);
                case MIN -> acc[o] = Math.min(acc[o], v);
            }
        }
        if (kind == Kind.MEAN || kind == Kind.VAR0 || kind == Kind.VAR1) {
            for (int o = 0; o < outN; o++) {
                acc[o] /= count;
            }
        }
        if (kind == Kind.VAR0 || kind == Kind.VAR1 || kind == Kind.LSE) {
            for (int i = 0; i < x.length; i++) {
                int o = outFlat(TestSupport.unravel(i, shape), shape, red);
                sq[o] += kind == Kind.LSE ? Math.exp(x[i] - acc[o]) : (x[i] - acc[o]) * (x[i] - acc[o]);
            }
            for (int o = 0; o < outN; o++) {
                acc[o] = kind == Kind.LSE ? acc[o] + Math.log(sq[o]) : sq[o] / (count - (kind == Kind.VAR1 ? 1 : 0));
            }
        }
        for (int o = 0; o < outN; o++) {
            if (nan[o]) {
                acc[o] = Double.NaN;
            }
        }
        return acc;
    }

    static Tensor apply(Kind kind, Tensor t, int[] dims, boolean keepDim) {
        return switch (kind) {
            case SUM -> t.sum(dims, keepDim);
            case MAX -> dims.length == 1 ? t.max(dims[0], keepDim) : null;
            case MIN -> dims.length == 1 ? t.min(dims[0], keepDim) : null;
            case MEAN -> t.mean(dims, keepDim);
            case VAR0 -> t.var(dims, 0, keepDim);
            case VAR1 -> t.var(dims, 1, keepDim);
            case LSE -> t.logsumexp(dims, keepDim);
        };
    }

    @Test
    void everyKindOverEveryDimSetAndLayout() {
        float[] x = TestSupport.uniform(11, TestSupport.numel(SHAPE), -2f, 2f);
        for (Kind kind : Kind.values()) {
            for (int[] dims : DIM_SETS) {
                boolean[] red = reducedMask(dims, SHAPE.length);
                double[] want = naive(kind, x, SHAPE, red);
                for (Layouts.Laid l : Layouts.of(x, SHAPE)) {
                    for (boolean keep : new boolean[] {false, true}) {
                        Tensor r = apply(kind, l.tensor(), dims, keep);
                        if (r == null) {
                            continue;
                        }
                        String what = kind + " dims " + Arrays.toString(dims) + " keep=" + keep + " " + l.name();
                        assertArrayEquals(outShape(SHAPE, red, keep), r.shape(), what);
                        // reference sums in double and rounds once; means/vars add one division each
                        double rtol = kind == Kind.MAX || kind == Kind.MIN ? 0 : 2e-6;
                        assertClose(want, r, rtol, 1e-6, what);
                    }
                }
            }
        }
    }

    @Test
    void allReductionsHaveZeroDims() {
        float[] x = TestSupport.uniform(3, 129, -1f, 1f);
        Tensor t = Tensor.of(x, 3, 43);
        double s = 0;
        double mx = Double.NEGATIVE_INFINITY;
        double mn = Double.POSITIVE_INFINITY;
        for (float v : x) {
            s += v;
            mx = Math.max(mx, v);
            mn = Math.min(mn, v);
        }
        assertShape(t.sum());
        assertEquals(s, t.sum().item(), 1e-5);
        assertEquals(s / 129, t.mean().item(), 1e-6);
        assertEquals((float) mx, t.max().item());
        assertEquals((float) mn, t.min().item());
        assertShape(t.sum(new int[0], true), 1, 1);
        // 0-dim input reduces to itself
        assertEquals(4f, Tensor.scalar(4f).sum().item());
        assertEquals(4f, Tensor.scalar(4f).mean().item());
    }

    @Test
    void argmaxArgminFirstOccurrenceAndNaN() {
        // quantised values: lots of ties
        int[] shape = {4, 15, 6};
        float[] x = TestSupport.uniform(5, TestSupport.numel(shape), -1f, 1f);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i] * 2) / 2f;
        }
        x[7] = Float.NaN;
        x[100] = Float.NaN;
        x[103] = Float.NaN;
        for (int dim = -3; dim < 3; dim++) {
            int d = dim < 0 ? dim + 3 : dim;
            boolean[] red = new boolean[3];
            red[d] = true;
            int[] os = outShape(shape, red, false);
            long[] wantMax = new long[TestSupport.numel(os)];
            long[] wantMin = new long[wantMax.length];
            float[] bestMax = new float[wantMax.length];
            float[] bestMin = new float[wantMax.length];
            boolean[] seen = new boolean[wantMax.length];
            for (int i = 0; i < x.length; i++) {
                int[] idx = TestSupport.unravel(i, shape);
                int o = outFlat(idx, shape, red);
                float v = x[i];
                if (!seen[o]) {
                    seen[o] = true;
                    bestMax[o] = v;
                    bestMin[o] = v;
                    wantMax[o] = idx[d];
                    wantMin[o] = idx[d];
                    continue;
                }
                // first NaN wins and then sticks; otherwise strictly greater (smaller) replaces
                if (!Float.isNaN(bestMax[o]) && (Float.isNaN(v) || v > bestMax[o])) {
                    bestMax[o] = v;
                    wantMax[o] = idx[d];
                }
                if (!Float.isNaN(bestMin[o]) && (Float.isNaN(v) || v < bestMin[o])) {
                    bestMin[o] = v;
                    wantMin[o] = idx[d];
                }
            }
            for (Layouts.Laid l : Layouts.of(x, shape)) {
                Tensor am = l.tensor().argmax(dim, false);
                assertEquals(DType.I64, am.dtype());
                assertArrayEquals(os, am.shape());
                assertArrayEquals(wantMax, am.toLongArray(), "argmax dim " + dim + " " + l.name());
                assertArrayEquals(wantMin, l.tensor().argmin(dim, false).toLongArray(),
                        "argmin dim " + dim + " " + l.name());
                assertShape(l.tensor().argmax(dim, true), keepShape(shape, d));
            }
        }
        assertArrayEquals(new long[] {1}, Tensor.of(new float[] {1f, 3f, 3f, 2f}, 1, 4).argmax(1, false)
                .toLongArray(), "hand example: first of the tied maxima");
        assertArrayEquals(new long[] {2}, Tensor.of(new float[] {1f, 3f, Float.NaN, 5f}, 4).argmax(0, false)
                .toLongArray(), "hand example: NaN is the max");
    }

    private static int[] keepShape(int[] shape, int d) {
        int[] s = shape.clone();
        s[d] = 1;
        return s;
    }

    @Test
    void nanPropagatesThroughReductions() {
        float[] x = {1f, Float.NaN, 3f, 4f, 5f, 6f};
        Tensor t = Tensor.of(x, 2, 3);
        float[] s = t.sum(1, false).toFloatArray();
        assertTrue(Float.isNaN(s[0]));
        assertEquals(15f, s[1]);
        float[] mx = t.max(1, false).toFloatArray();
        assertTrue(Float.isNaN(mx[0]), "max with NaN is NaN");
        assertEquals(6f, mx[1]);
        float[] mn = t.min(1, false).toFloatArray();
        assertTrue(Float.isNaN(mn[0]), "min with NaN is NaN");
        assertEquals(4f, mn[1]);
        // NaN at the first position too
        assertTrue(Float.isNaN(Tensor.of(new float[] {Float.NaN, 1f, 2f}, 3).max().item()));
        assertTrue(Float.isNaN(Tensor.of(new float[] {2f, 1f, Float.NaN}, 3).min().item()));
        assertTrue(Float.isNaN(t.logsumexp(new int[] {1}, false).toFloatArray()[0]));
        assertTrue(Float.isNaN(t.var(new int[] {1}, 1, false).toFloatArray()[0]));
    }

    @Test
    void logsumexpInfinitiesAndLargeValues() {
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor t = Tensor.of(new float[] {
            ninf, ninf, ninf,            // all -inf -> -inf
            ninf, 0f, ninf,              // one finite -> 0
            1000f, 1000f, 1000f,         // stable: 1000 + ln 3
            Float.POSITIVE_INFINITY, 1f, ninf, // +inf -> +inf
            -1000f, -1000f, -999f,       // far below exp's range
        }, 5, 3);
        float[] r = t.logsumexp(new int[] {1}, false).toFloatArray();
        assertEquals(ninf, r[0]);
        assertEquals(0f, r[1]);
        assertEquals(1000 + Math.log(3), r[2], 1e-3);
        assertEquals(Float.POSITIVE_INFINITY, r[3]);
        assertEquals(-999 + Math.log(1 + 2 * Math.exp(-1)), r[4], 1e-3);
        // over dim 0 with keepDim
        Tensor k = t.narrow(0, 0, 2).logsumexp(new int[] {0}, true);
        assertShape(k, 1, 3);
        assertArrayEquals(new float[] {ninf, 0f, ninf}, k.toFloatArray());
    }

    @Test
    void reductionErrorsAndEdgeCases() {
        Tensor t = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> t.sum(new int[] {2}, false), "sum", "dim 2");
        assertThrowsWith(IllegalArgumentException.class, () -> t.sum(new int[] {1, -1}, false), "sum", "twice");
        // integer and BOOL sums are exact I64, as PyTorch (counting correct predictions); max still needs floats
        Tensor ints = Tensor.ofLongs(new long[] {Long.MAX_VALUE - 5, 3, -1}, 3);
        assertEquals(DType.I64, ints.sum().dtype());
        assertEquals(Long.MAX_VALUE - 3, ints.sum().toLongArray()[0]);
        assertEquals(2, Tensor.ofBools(new boolean[] {true, false, true}, 3).sum().toLongArray()[0]);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {1}, 1).max(), "max", "I64");
        Tensor empty = Tensor.zeros(2, 0);
        assertArrayEquals(new float[] {0f, 0f}, empty.sum(1, false).toFloatArray(), "empty sum is 0");
        assertThrowsWith(IllegalArgumentException.class, () -> empty.max(1, false), "max", "zero-size");
        assertThrowsWith(IllegalArgumentException.class, () -> empty.argmax(1, false), "argmax", "zero-size");
        assertShape(empty.sum(0, false), 0);
        // var with correction >= n is inf/NaN, like PyTorch
        assertTrue(Float.isNaN(Tensor.of(new float[] {1f}, 1).var(new int[] {0}, 1, false).item())
                || Float.isInfinite(Tensor.of(new float[] {1f}, 1).var(new int[] {0}, 1, false).item()));
        // a hand example: var([1,2,3,4]) = 5/3 unbiased, 5/4 biased
        Tensor v = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        assertEquals(5f / 3f, v.var(new int[] {0}, 1, false).item(), 1e-7);
        assertEquals(1.25f, v.var(new int[] {0}, 0, false).item());
        assertEquals(2.5f, v.mean().item());
    }

    @Test
    void largeReductionsCrossTheParallelThreshold() {
        int[] shape = {40, 1031};
        float[] x = TestSupport.uniform(8, 40 * 1031, -1f, 1f);
        for (int[] dims : new int[][] {{0}, {1}, {}}) {
            boolean[] red = reducedMask(dims, 2);
            assertClose(naive(Kind.SUM, x, shape, red), Tensor.of(x, shape).sum(dims, false), 1e-6, 1e-5,
                    "large sum " + Arrays.toString(dims));
            Tensor tx = Tensor.of(x, shape);
            assertClose(naive(Kind.MAX, x, shape, red), dims.length == 0 ? tx.max() : tx.max(dims[0], false), 0, 0,
                    "large max " + Arrays.toString(dims));
            assertClose(naive(Kind.MEAN, x, shape, red), tx.t().mean(dims.length == 0 ? dims
                    : new int[] {1 - dims[0]}, false), 1e-6, 1e-6, "large mean of transposed " + Arrays.toString(dims));
        }
    }

    /** bf16 in, bf16 out; the result should be the exact value rounded once (≤ 1/2 bf16 ulp, plus f32 noise). */
    @Test
    void bf16ReductionsRoundOnce() {
        SplittableRandom rnd = new SplittableRandom(4);
        int rows = 400;
        int cols = 7;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = DTypes.bf16ToFloat(DTypes.floatToBf16((float) (1 + 3 * rnd.nextDouble())));
        }
        Tensor t = Tensor.of(x, rows, cols).to(DType.BF16);
        boolean[] red = {false, true};
        int[] shape = {rows, cols};
        for (Kind kind : new Kind[] {Kind.SUM, Kind.MEAN, Kind.VAR1, Kind.LSE}) {
            Tensor r = apply(kind, t, new int[] {1}, false);
            assertEquals(DType.BF16, r.dtype(), kind.toString());
            double[] want = naive(kind, x, shape, red);
            float[] got = r.toFloatArray();
            for (int i = 0; i < rows; i++) {
                double ulp = Math.ulp((float) want[i]) * 65536.0;
                if (!(Math.abs(got[i] - want[i]) <= 0.5 * ulp + 1e-6 * Math.abs(want[i]))) {
                    fail(kind + " row " + i + ": exact " + want[i] + " got " + got[i] + " (bf16 ulp " + ulp + ")");
                }
            }
        }
    }
}
