package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/** torch.matmul semantics against a naive triple loop in double, with the bound |c − ref| ≤ 1e-6·Σ|a||b|. */
class MatMulTest {

    /** C[b][i][j] = Σ_p A[b][i][p]·B[b][p][j] for contiguous (batch, m, k) and (batch, k, n); also Σ|a||b|. */
    static double[][] naive(float[] a, float[] b, int batch, int m, int k, int n, boolean aBroadcast,
                            boolean bBroadcast) {
        double[] c = new double[batch * m * n];
        double[] mag = new double[batch * m * n];
        for (int q = 0; q < batch; q++) {
            int ao = aBroadcast ? 0 : q * m * k;
            int bo = bBroadcast ? 0 : q * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    double g = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a[ao + i * k + p];
                        double y = b[bo + p * n + j];
                        s += x * y;
                        g += Math.abs(x * y);
                    }
                    c[q * m * n + i * n + j] = s;
                    mag[q * m * n + i * n + j] = g;
                }
            }
        }
        return new double[][] {c, mag};
    }

    static void assertGemmClose(double[][] want, Tensor got, String what) {
        float[] v = got.toFloatArray();
        assertEquals(want[0].length, v.length, what + ": element count");
        for (int i = 0; i < v.length; i++) {
            double tol = 1e-6 * want[1][i] + 1e-7;
            if (!(Math.abs(v[i] - want[0][i]) <= tol)) {
                fail(what + ": at " + i + " expected " + want[0][i] + " got " + v[i] + " (tol " + tol + ")");
            }
        }
    }

    private static final int[][] MKN = {
        {1, 1, 1}, {1, 17, 1}, {15, 17, 33}, {33, 1, 17}, {17, 129, 15}, {2, 127, 3}, {129, 3, 2}, {7, 64, 9},
    };

    @Test
    void twoDimensionalInEveryLayout() {
        for (int[] s : MKN) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] a = TestSupport.uniform(m * 1000 + k, m * k, -1f, 1f);
            float[] b = TestSupport.uniform(n * 1000 + k, k * n, -1f, 1f);
            double[][] want = naive(a, b, 1, m, k, n, false, false);
            for (Layouts.Laid la : Layouts.of(a, m, k)) {
                for (Layouts.Laid lb : Layouts.of(b, k, n)) {
                    Tensor c = la.tensor().matmul(lb.tensor());
                    assertShape(c, m, n);
                    assertEquals(DType.F32, c.dtype());
                    assertGemmClose(want, c, "(" + m + "," + k + ")x(" + k + "," + n + ") " + la.name() + "/"
                            + lb.name());
                }
            }
        }
    }

    @Test
    void oneDimensionalOperands() {
        float[] v = TestSupport.uniform(1, 17, -1f, 1f);
        float[] w = TestSupport.uniform(2, 17, -1f, 1f);
        float[] m = TestSupport.uniform(3, 17 * 5, -1f, 1f);
        double dot = 0;
        for (int i = 0; i < 17; i++) {
            dot += (double) v[i] * w[i];
        }
        Tensor d = Tensor.of(v, 17).matmul(Tensor.of(w, 17));
        assertShape(d);
        assertEquals(dot, d.item(), 1e-6);
        // (k)·(k,n) -> (n)
        Tensor vm = Tensor.of(v, 17).matmul(Tensor.of(m, 17, 5));
        assertShape(vm, 5);
        assertGemmClose(naive(v, m, 1, 1, 17, 5, false, false), vm, "vector·matrix");
        // (n,k)·(k) -> (n), with a transposed matrix
        float[] mt = new float[5 * 17]; // mt stored (17,5): mt^T[i][p] = m'[i][p]
        for (int i = 0; i < 5; i++) {
            for (int p = 0; p < 17; p++) {
                mt[p * 5 + i] = m[i * 17 + p];
            }
        }
        Tensor mv = Tensor.of(mt, 17, 5).t().matmul(Tensor.of(w, 17));
        assertShape(mv, 5);
        assertGemmClose(naive(m, w, 1, 5, 17, 1, false, false), mv, "transposed matrix·vector");
        // (k)·(B,k,n) -> (B,n) and (B,m,k)·(k) -> (B,m)
        float[] bm = TestSupport.uniform(4, 3 * 17 * 5, -1f, 1f);
        Tensor vb = Tensor.of(v, 17).matmul(Tensor.of(bm, 3, 17, 5));
        assertShape(vb, 3, 5);
        assertGemmClose(naive(v, bm, 3, 1, 17, 5, true, false), vb, "vector·batch");
        Tensor bv = Tensor.of(bm, 3, 5, 17).matmul(Tensor.of(w, 17));
        assertShape(bv, 3, 5);
        assertGemmClose(naive(bm, w, 3, 5, 17, 1, false, true), bv, "batch·vector");
        // a strided vector
        Tensor sv = Layouts.stepped(v, new int[] {17});
        assertEquals(dot, sv.matmul(Tensor.of(w, 17)).item(), 1e-6);
        // (k,1) column from a 1-D unsqueeze
        Tensor col = Tensor.of(w, 17).unsqueeze(-1);
        assertGemmClose(naive(m, w, 1, 5, 17, 1, false, false), Tensor.of(m, 5, 17).matmul(col), "matrix·column");
    }

    @Test
    void batchedAndBroadcastBatches() {
        int bsz = 3;
        int m = 15;
        int k = 17;
        int n = 33;
        float[] a = TestSupport.uniform(10, bsz * m * k, -1f, 1f);
        float[] b = TestSupport.uniform(11, bsz * k * n, -1f, 1f);
        float[] b1 = TestSupport.uniform(12, k * n, -1f, 1f);
        double[][] want = naive(a, b, bsz, m, k, n, false, false);
        Tensor c = Tensor.of(a, bsz, m, k).matmul(Tensor.of(b, bsz, k, n));
        assertShape(c, bsz, m, n);
        assertGemmClose(want, c, "batched");
        // B operand shared across the batch: (B,m,k)·(k,n) and via a stride-0 expand
        double[][] wantShared = naive(a, b1, bsz, m, k, n, false, true);
        assertGemmClose(wantShared, Tensor.of(a, bsz, m, k).matmul(Tensor.of(b1, k, n)), "(B,m,k)·(k,n)");
        assertGemmClose(wantShared, Tensor.of(a, bsz, m, k).matmul(Tensor.of(b1, 1, k, n).expand(bsz, k, n)),
                "(B,m,k)·expand(k,n)");
        // A shared: (m,k)·(B,k,n)
        float[] a1 = TestSupport.uniform(13, m * k, -1f, 1f);
        assertGemmClose(naive(a1, b, bsz, m, k, n, true, false), Tensor.of(a1, m, k).matmul(Tensor.of(b, bsz, k, n)),
                "(m,k)·(B,k,n)");
        // broadcast of two batch dims: (2,1,m,k)·(3,k,n) -> (2,3,m,n)
        float[] a2 = TestSupport.uniform(14, 2 * m * k, -1f, 1f);
        Tensor c2 = Tensor.of(a2, 2, 1, m, k).matmul(Tensor.of(b, bsz, k, n));
        assertShape(c2, 2, 3, m, n);
        float[] got = c2.toFloatArray();
        for (int x = 0; x < 2; x++) {
            float[] ax = java.util.Arrays.copyOfRange(a2, x * m * k, (x + 1) * m * k);
            double[][] w = naive(ax, b, bsz, m, k, n, true, false);
            for (int i = 0; i < w[0].length; i++) {
                double tol = 1e-6 * w[1][i] + 1e-7;
                if (!(Math.abs(got[x * bsz * m * n + i] - w[0][i]) <= tol)) {
                    fail("broadcast batch " + x + " at " + i);
                }
            }
        }
        // batched with transposed matrices: a stored (B,k,m), b stored (B,n,k)
        float[] at = new float[a.length];
        float[] bt = new float[b.length];
        for (int q = 0; q < bsz; q++) {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    at[q * m * k + p * m + i] = a[q * m * k + i * k + p];
                }
            }
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bt[q * k * n + j * k + p] = b[q * k * n + p * n + j];
                }
            }
        }
        Tensor ta = Tensor.of(at, bsz, k, m).transpose(1, 2);
        Tensor tb = Tensor.of(bt, bsz, n, k).transpose(-1, -2);
        assertGemmClose(want, ta.matmul(tb), "batched Aᵀ·Bᵀ");
        assertGemmClose(want, ta.matmul(Tensor.of(b, bsz, k, n)), "batched Aᵀ·B");
        assertGemmClose(want, Tensor.of(a, bsz, m, k).matmul(tb), "batched A·Bᵀ");
        // batch dims that do not collapse to one stride: a stored (m, B, k), viewed as (B, m, k)
        float[] amid = new float[a.length];
        for (int q = 0; q < bsz; q++) {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    amid[i * bsz * k + q * k + p] = a[q * m * k + i * k + p];
                }
            }
        }
        assertGemmClose(want, Tensor.of(amid, m, bsz, k).transpose(0, 1).matmul(Tensor.of(b, bsz, k, n)),
                "batch stride between rows");
        // 4-D batch whose two batch dims are swapped: not a single stride
        float[] a4 = TestSupport.uniform(15, 2 * 3 * 4 * 5, -1f, 1f); // stored (3,2,4,5), viewed (2,3,4,5)
        float[] b4 = TestSupport.uniform(16, 5 * 6, -1f, 1f);
        Tensor c4 = Tensor.of(a4, 3, 2, 4, 5).transpose(0, 1).matmul(Tensor.of(b4, 5, 6));
        assertShape(c4, 2, 3, 4, 6);
        float[] g4 = c4.toFloatArray();
        for (int x = 0; x < 2; x++) {
            for (int y = 0; y < 3; y++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 6; j++) {
                        double s = 0;
                        for (int p = 0; p < 5; p++) {
                            s += (double) a4[((y * 2 + x) * 4 + i) * 5 + p] * b4[p * 6 + j];
                        }
                        assertEquals(s, g4[((x * 3 + y) * 4 + i) * 6 + j], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void bf16Operands() {
        int m = 17;
        int k = 33;
        int n = 15;
        float[] a = TestSupport.uniform(20, m * k, -1f, 1f);
        float[] b = TestSupport.uniform(21, k * n, -1f, 1f);
        float[] ar = new float[a.length];
        float[] br = new float[b.length];
        for (int i = 0; i < a.length; i++) {
            ar[i] = DTypes.bf16ToFloat(DTypes.floatToBf16(a[i]));
        }
        for (int i = 0; i < b.length; i++) {
            br[i] = DTypes.bf16ToFloat(DTypes.floatToBf16(b[i]));
        }
        double[][] want = naive(ar, br, 1, m, k, n, false, false);
        Tensor abf = Tensor.of(a, m, k).to(DType.BF16);
        Tensor bbf = Tensor.of(b, k, n).to(DType.BF16);
        Tensor c = abf.matmul(bbf);
        assertEquals(DType.BF16, c.dtype());
        float[] v = c.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            // f32 accumulation of exact bf16 products, then one rounding to bf16
            double ulp = Math.ulp((float) want[0][i]) * 65536.0;
            double tol = 0.5 * ulp + 1e-6 * want[1][i];
            if (!(Math.abs(v[i] - want[0][i]) <= tol)) {
                fail("bf16 matmul at " + i + ": exact " + want[0][i] + " got " + v[i]);
            }
        }
        // transposed bf16 operand
        Tensor bT = Tensor.of(b, k, n).t().contiguous().to(DType.BF16).t();
        float[] vt = abf.matmul(bT).toFloatArray();
        assertArrayEquals(v, vt, "a transposed bf16 operand gives the same result");
        // bf16 · f32 -> f32, computed from the widened bf16 values
        Tensor mixed = abf.matmul(Tensor.of(br, k, n));
        assertEquals(DType.F32, mixed.dtype());
        assertGemmClose(want, mixed, "bf16·f32");
    }

    @Test
    void shapeErrorsAndEmptyProducts() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)),
                "matmul", "[2,3]", "[4,5]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul");
        assertThrowsWith(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)), "matmul", "[2]", "[3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1f).matmul(Tensor.zeros(1)), "matmul",
                "[]");
        Tensor z = Tensor.ones(4, 0).matmul(Tensor.ones(0, 3));
        assertShape(z, 4, 3);
        assertArrayEquals(new float[12], z.toFloatArray(), "k = 0 gives zeros");
        assertShape(Tensor.ones(0, 5).matmul(Tensor.ones(5, 3)), 0, 3);
    }

    @Test
    void largeMatmulCrossesThresholds() {
        int m = 129;
        int k = 127;
        int n = 131;
        float[] a = TestSupport.uniform(30, m * k, -1f, 1f);
        float[] b = TestSupport.uniform(31, k * n, -1f, 1f);
        assertGemmClose(naive(a, b, 1, m, k, n, false, false), Tensor.of(a, m, k).matmul(Tensor.of(b, k, n)),
                "129x127x131");
    }
}
