package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertClose;
import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** softmax / logSoftmax over every dim and layout against a naive double computation. */
class SoftmaxTest {

    /** Naive softmax along {@code dim} of a contiguous (shape) array, in double. */
    static double[] naive(float[] x, int[] shape, int dim, boolean log) {
        int d = dim < 0 ? dim + shape.length : dim;
        double[] out = new double[x.length];
        int len = shape[d];
        for (int i = 0; i < x.length; i++) {
            int[] idx = TestSupport.unravel(i, shape);
            if (idx[d] != 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            int[] pos = new int[len];
            for (int j = 0; j < len; j++) {
                idx[d] = j;
                pos[j] = TestSupport.ravel(idx, shape);
                max = Math.max(max, x[pos[j]]);
            }
            double sum = 0;
            for (int j = 0; j < len; j++) {
                sum += Math.exp(x[pos[j]] - max);
            }
            for (int j = 0; j < len; j++) {
                out[pos[j]] = log ? x[pos[j]] - max - Math.log(sum) : Math.exp(x[pos[j]] - max) / sum;
            }
        }
        return out;
    }

    @Test
    void everyDimAndLayout() {
        int[] shape = {3, 17, 33};
        float[] x = TestSupport.uniform(21, 3 * 17 * 33, -6f, 6f);
        for (int dim = -3; dim < 3; dim++) {
            for (boolean log : new boolean[] {false, true}) {
                double[] want = naive(x, shape, dim, log);
                for (Layouts.Laid l : Layouts.of(x, shape)) {
                    Tensor y = log ? l.tensor().logSoftmax(dim) : l.tensor().softmax(dim);
                    assertShape(y, shape);
                    // double computation rounded once: relative 1e-6; log-softmax near 0 needs a small absolute
                    assertClose(want, y, 1e-6, 1e-7, (log ? "logSoftmax" : "softmax") + " dim " + dim + " " + l.name());
                }
            }
        }
    }

    @Test
    void awkwardRowLengthsSumToOne() {
        for (int n : new int[] {1, 15, 17, 33, 127, 129, 1000}) {
            float[] x = TestSupport.uniform(n, 2 * n, -20f, 20f);
            Tensor y = Tensor.of(x, 2, n).softmax(-1);
            float[] v = y.toFloatArray();
            for (int r = 0; r < 2; r++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    assertTrue(v[r * n + j] >= 0 && v[r * n + j] <= 1);
                    s += v[r * n + j];
                }
                assertEquals(1.0, s, 1e-5, "row sum, n=" + n);
            }
            assertClose(naive(x, new int[] {2, n}, 1, true), Tensor.of(x, 2, n).logSoftmax(1), 1e-6, 1e-6,
                    "logSoftmax n=" + n);
        }
    }

    @Test
    void stabilityMaskingAndNaN() {
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor t = Tensor.of(new float[] {1000f, 1001f, 1002f, 0f, ninf, 0f, -1e4f, -1e4f, -1e4f}, 3, 3);
        float[] s = t.softmax(1).toFloatArray();
        double e1 = Math.exp(-1);
        double e2 = Math.exp(-2);
        double z = 1 + e1 + e2;
        assertEquals(e2 / z, s[0], 1e-7, "large logits don't overflow");
        assertEquals(1 / z, s[2], 1e-7);
        assertEquals(0.5f, s[3]);
        assertEquals(0f, s[4], "masked -inf gets probability 0");
        assertEquals(1f / 3, s[6], 1e-7, "very negative logits don't underflow to 0/0");
        float[] ls = t.logSoftmax(1).toFloatArray();
        assertEquals(ninf, ls[4]);
        assertEquals(-Math.log(2), ls[3], 1e-7);
        assertEquals(-2 - Math.log(z), ls[0], 1e-5);
        float[] withNaN = Tensor.of(new float[] {1f, Float.NaN, 2f}, 3).softmax(0).toFloatArray();
        for (float f : withNaN) {
            assertTrue(Float.isNaN(f), "NaN poisons the whole row");
        }
    }

    @Test
    void dtypesAndErrors() {
        Tensor bf = Tensor.of(new float[] {1f, 2f, 3f}, 3).to(DType.BF16);
        Tensor y = bf.softmax(0);
        assertEquals(DType.BF16, y.dtype());
        double[] w = naive(new float[] {1f, 2f, 3f}, new int[] {3}, 0, false);
        float[] got = y.toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(DTypes.bf16ToFloat(DTypes.floatToBf16((float) w[i])), got[i], "bf16 softmax rounded once");
        }
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).softmax(2), "softmax", "dim 2");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {1}, 1).logSoftmax(0),
                "logSoftmax", "I64");
        assertEquals(1f, Tensor.scalar(5f).softmax(0).item());
        assertEquals(0f, Tensor.scalar(5f).logSoftmax(0).item());
    }

    @Test
    void largeSoftmaxCrossesTheParallelThreshold() {
        int[] shape = {64, 600};
        float[] x = TestSupport.uniform(77, 64 * 600, -5f, 5f);
        assertClose(naive(x, shape, 1, false), Tensor.of(x, shape).softmax(1), 1e-6, 1e-9, "softmax rows");
        assertClose(naive(x, shape, 0, true), Tensor.of(x, shape).logSoftmax(0), 1e-6, 1e-7, "logSoftmax cols");
    }
}
