package dev.brisk.tensor.conformance;

import static dev.brisk.tensor.conformance.Tolerance.assertClose;
import static dev.brisk.tensor.conformance.Tolerance.assertWithin;

import dev.brisk.tensor.DTypes;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.backend.ReduceOp;
import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.backend.SoftmaxKernels;
import dev.brisk.tensor.backend.UnaryOp;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernel-level half of {@link BackendConformance}: each SPI family of the backend under test, called
 * directly with non-zero offsets, stride-0 operands, in-place outputs, padded leading dimensions and sentinel
 * values around the output, against {@code new ReferenceBackend()}'s kernels on the same arrays.
 */
abstract class KernelConformance {

    protected abstract String backendName();

    private static final ReferenceBackend REF = new ReferenceBackend();

    /** Sizes of one run: empty, tails around every SIMD width, and a run long enough to be split internally. */
    private static final int[] RUNS = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 127, 129, 1000, 40_961};

    private Kernels fast() {
        return Kernels.use(backendName());
    }

    private static final float SENTINEL = -12345.5f;

    private static float[] sentinels(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryKernel(UnaryOp op) {
        ElementwiseKernels f = fast().elementwise();
        ElementwiseKernels r = REF.elementwise().orElseThrow();
        double[] tol = Tolerance.unary(op);
        for (int n : RUNS) {
            float[] x = Data.forUnary(op, n + 17L, n + 5);
            float[] outF = sentinels(n + 9);
            float[] outR = sentinels(n + 9);
            f.unary(op, x, 3, outF, 6, n);
            r.unary(op, x, 3, outR, 6, n);
            assertClose(outR, outF, tol[0], tol[1], op + " unary n=" + n + " (offsets 3 -> 6)");
            // in place
            float[] inF = x.clone();
            float[] inR = x.clone();
            f.unary(op, inF, 2, inF, 2, n);
            r.unary(op, inR, 2, inR, 2, n);
            assertClose(inR, inF, tol[0], tol[1], op + " unary in place n=" + n);
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryGradKernel(UnaryOp op) {
        ElementwiseKernels f = fast().elementwise();
        ElementwiseKernels r = REF.elementwise().orElseThrow();
        double[] tol = Tolerance.unaryGrad(op);
        for (int n : RUNS) {
            float[] x = Data.forUnary(op, n + 19L, n + 4);
            float[] g = Data.uniform(n + 23L, n + 4, -2, 2);
            float[] outF = sentinels(n + 7);
            float[] outR = sentinels(n + 7);
            f.unaryGrad(op, x, 1, g, 4 % (n + 1) == 0 ? 0 : 2, outF, 5, n);
            r.unaryGrad(op, x, 1, g, 4 % (n + 1) == 0 ? 0 : 2, outR, 5, n);
            assertClose(outR, outF, tol[0], tol[1], op + " unaryGrad n=" + n);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryKernelStridesAndInPlace(BinaryOp op) {
        ElementwiseKernels f = fast().elementwise();
        ElementwiseKernels r = REF.elementwise().orElseThrow();
        double[] tol = Tolerance.binary(op);
        boolean positive = op == BinaryOp.POW;
        for (int n : RUNS) {
            float[] a = Data.uniform(n + 1L, n + 4, positive ? 0.1 : -3, 3);
            float[] b = Data.uniform(n + 2L, n + 4, op == BinaryOp.DIV ? 0.2 : -3, 3);
            if (n > 10 && op != BinaryOp.POW) {
                a[7] = Float.NaN; // NaN propagation of max/min and friends
                b[9] = Float.NaN;
            }
            for (int[] st : new int[][] {{1, 1}, {0, 1}, {1, 0}, {0, 0}}) {
                float[] outF = sentinels(n + 6);
                float[] outR = sentinels(n + 6);
                f.binary(op, a, 2, st[0], b, 3, st[1], outF, 4, n);
                r.binary(op, a, 2, st[0], b, 3, st[1], outR, 4, n);
                assertClose(outR, outF, tol[0], tol[1], op + " strides " + st[0] + "," + st[1] + " n=" + n);
            }
            // in place into a (a += b), and into b with a broadcast scalar
            float[] aF = a.clone();
            float[] aR = a.clone();
            f.binary(op, aF, 1, 1, b, 1, 1, aF, 1, n);
            r.binary(op, aR, 1, 1, b, 1, 1, aR, 1, n);
            assertClose(aR, aF, tol[0], tol[1], op + " in place (out == a) n=" + n);
            float[] bF = b.clone();
            float[] bR = b.clone();
            f.binary(op, a, 0, 0, bF, 2, 1, bF, 2, n);
            r.binary(op, a, 0, 0, bR, 2, 1, bR, 2, n);
            assertClose(bR, bF, tol[0], tol[1], op + " in place (out == b, a broadcast) n=" + n);
        }
    }

    @ParameterizedTest
    @EnumSource(CompareOp.class)
    void compareKernel(CompareOp op) {
        ElementwiseKernels f = fast().elementwise();
        ElementwiseKernels r = REF.elementwise().orElseThrow();
        for (int n : RUNS) {
            float[] a = Data.uniform(n + 3L, n + 4, -1, 1);
            float[] b = Data.uniform(n + 4L, n + 4, -1, 1);
            for (int i = 0; i < a.length; i += 4) {
                a[i] = b[Math.min(i + 1, b.length - 1)];
            }
            if (n > 10) {
                a[5] = Float.NaN;
                b[8] = Float.NaN;
                a[6] = -0f;
                b[7] = 0f;
            }
            for (int[] st : new int[][] {{1, 1}, {0, 1}, {1, 0}}) {
                boolean[] outF = new boolean[n + 5];
                boolean[] outR = new boolean[n + 5];
                Arrays.fill(outF, true);
                Arrays.fill(outR, true);
                f.compare(op, a, 2, st[0], b, 1, st[1], outF, 3, n);
                r.compare(op, a, 2, st[0], b, 1, st[1], outR, 3, n);
                Tolerance.assertSame(outR, outF, op + " strides " + st[0] + "," + st[1] + " n=" + n);
            }
        }
    }

    @Test
    void reductionKernel() {
        ReductionKernels f = fast().reductions();
        ReductionKernels r = REF.reductions().orElseThrow();
        int[][] shapes = {{1, 1, 1}, {1, 17, 1}, {3, 33, 1}, {5, 1, 7}, {2, 15, 129}, {4, 129, 17}, {1, 40_961, 1},
            {40, 1031, 1}, {7, 3, 2048}, {1, 2, 33_000}};
        for (int[] s : shapes) {
            int outer = s[0];
            int red = s[1];
            int inner = s[2];
            int n = outer * red * inner;
            float[] x = Data.uniform(n, n + 5, -2, 2);
            double[] scale = new double[outer * inner + 3];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    for (int j = 0; j < red; j++) {
                        scale[2 + o * inner + i] += Math.abs(x[5 + (o * red + j) * inner + i]);
                    }
                }
            }
            String what = "(outer, r, inner) = " + Data.shape(s);
            for (ReduceOp op : ReduceOp.values()) {
                float[] outF = sentinels(outer * inner + 3);
                float[] outR = sentinels(outer * inner + 3);
                f.reduce(op, x, 5, outer, red, inner, outF, 2);
                r.reduce(op, x, 5, outer, red, inner, outR, 2);
                if (op == ReduceOp.SUM) {
                    assertWithin(outR, outF, scale, 1e-5, 1e-6, "SUM " + what);
                } else {
                    assertClose(outR, outF, 0, 0, op + " " + what);
                }
            }
            // ties and NaN for max/min/arg*: quantise, then plant NaNs
            float[] q = x.clone();
            for (int i = 0; i < q.length; i++) {
                q[i] = Math.round(q[i] * 2) / 2f;
            }
            if (n > 20) {
                q[5 + n / 3] = Float.NaN;
                q[5 + n - 1] = Float.NaN;
                q[5 + n / 5] = Float.NEGATIVE_INFINITY;
                q[5 + n / 2] = Float.POSITIVE_INFINITY;
            }
            for (ReduceOp op : ReduceOp.values()) { // SUM with ±inf and NaN: only the non-finite outputs differ
                float[] outF = sentinels(outer * inner + 3);
                float[] outR = sentinels(outer * inner + 3);
                f.reduce(op, q, 5, outer, red, inner, outF, 2);
                r.reduce(op, q, 5, outer, red, inner, outR, 2);
                if (op == ReduceOp.SUM) {
                    assertWithin(outR, outF, scale, 1e-5, 1e-6, "SUM with NaN/±inf " + what);
                } else {
                    assertClose(outR, outF, 0, 0, op + " ties/NaN/±inf " + what);
                }
            }
            for (boolean max : new boolean[] {true, false}) {
                long[] outF = new long[outer * inner + 3];
                long[] outR = new long[outer * inner + 3];
                Arrays.fill(outF, -7);
                Arrays.fill(outR, -7);
                f.argReduce(max, q, 5, outer, red, inner, outF, 1);
                r.argReduce(max, q, 5, outer, red, inner, outR, 1);
                Tolerance.assertSame(outR, outF, (max ? "argmax " : "argmin ") + what);
            }
        }
    }

    @Test
    void softmaxKernel() {
        SoftmaxKernels f = fast().softmax();
        SoftmaxKernels r = REF.softmax().orElseThrow();
        int[][] shapes = {{1, 1}, {3, 15}, {2, 17}, {4, 33}, {3, 127}, {2, 129}, {64, 700}, {1, 40_961}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            float[] x = Data.uniform(rows * 7L + cols, rows * cols + 4, -10, 10);
            if (cols > 3) {
                x[4 + 1] = Float.NEGATIVE_INFINITY; // a masked entry in row 0
            }
            for (boolean log : new boolean[] {false, true}) {
                double rtol = log ? 1e-6 : 1e-5;
                double atol = log ? 2e-5 : 1e-7;
                String what = (log ? "logSoftmax " : "softmax ") + Data.shape(s);
                float[] outF = sentinels(rows * cols + 6);
                float[] outR = sentinels(rows * cols + 6);
                f.softmax(log, x, 4, rows, cols, outF, 3);
                r.softmax(log, x, 4, rows, cols, outR, 3);
                assertClose(outR, outF, rtol, atol, what + " (offsets 4 -> 3)");
                float[] inF = x.clone();
                float[] inR = x.clone();
                f.softmax(log, inF, 4, rows, cols, inF, 4);
                r.softmax(log, inR, 4, rows, cols, inR, 4);
                assertClose(inR, inF, rtol, atol, what + " in place");
                // backward from the reference's output y and a random g
                float[] g = Data.uniform(cols, rows * cols + 2, -1, 1);
                float[] dF = sentinels(rows * cols + 1);
                float[] dR = sentinels(rows * cols + 1);
                f.softmaxBackward(log, outR, 3, g, 2, rows, cols, dF, 1);
                r.softmaxBackward(log, outR, 3, g, 2, rows, cols, dR, 1);
                // dx = y(g − Σ g y) or g − e^y Σ g: a row dot product with the sum tolerance, then one product
                assertClose(dR, dF, 1e-5, 1e-6, what + " backward");
            }
        }
    }

    /** C(m,n) = α·op(A)·op(B) + β·C with padded lds, offsets and sentinels; also Σ|a||b| per output. */
    @Test
    void sgemmAllTransposesPaddingAlphaBeta() {
        GemmKernels f = fast().gemm();
        GemmKernels r = REF.gemm().orElseThrow();
        int[][] mkn = {{1, 1, 1}, {1, 17, 33}, {15, 1, 17}, {17, 33, 15}, {33, 129, 8}, {127, 16, 129}, {64, 64, 64},
            {129, 70, 131}, {5, 0, 7}};
        for (int[] s : mkn) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int lda = (ta ? m : k) + 3;
                    int ldb = (tb ? k : n) + 2;
                    int ldc = n + 5;
                    float[] a = Data.uniform(m * 31L + k, 4 + (ta ? k : m) * lda, -1, 1);
                    float[] b = Data.uniform(n * 37L + k, 2 + (tb ? n : k) * ldb, -1, 1);
                    double[] scale = new double[1 + m * ldc];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double acc = 0;
                            for (int p = 0; p < k; p++) {
                                float av = ta ? a[4 + p * lda + i] : a[4 + i * lda + p];
                                float bv = tb ? b[2 + j * ldb + p] : b[2 + p * ldb + j];
                                acc += Math.abs((double) av * bv);
                            }
                            scale[1 + i * ldc + j] = 1.5 * acc; // |α| = 1.5
                        }
                    }
                    String what = "sgemm " + Data.shape(s) + " transA=" + ta + " transB=" + tb;
                    // β = 0: C's old contents, NaN included, are ignored; the padding columns stay untouched
                    float[] cF = sentinels(1 + m * ldc);
                    float[] cR = sentinels(1 + m * ldc);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            cF[1 + i * ldc + j] = Float.NaN;
                            cR[1 + i * ldc + j] = Float.NaN;
                        }
                    }
                    f.sgemm(ta, tb, m, n, k, 1.5f, a, 4, lda, b, 2, ldb, 0f, cF, 1, ldc);
                    r.sgemm(ta, tb, m, n, k, 1.5f, a, 4, lda, b, 2, ldb, 0f, cR, 1, ldc);
                    assertWithin(cR, cF, scale, 1e-5, 1e-6, what + " beta=0 over NaN");
                    // β ≠ 0 accumulates onto C
                    float[] c0 = Data.uniform(7, 1 + m * ldc, -1, 1);
                    float[] cF2 = c0.clone();
                    float[] cR2 = c0.clone();
                    f.sgemm(ta, tb, m, n, k, 1.5f, a, 4, lda, b, 2, ldb, -0.5f, cF2, 1, ldc);
                    r.sgemm(ta, tb, m, n, k, 1.5f, a, 4, lda, b, 2, ldb, -0.5f, cR2, 1, ldc);
                    assertWithin(cR2, cF2, scale, 1e-5, 1e-6, what + " beta=-0.5");
                }
            }
        }
    }

    @Test
    void sgemmBatchedWithSharedAndStridedOperands() {
        GemmKernels f = fast().gemm();
        GemmKernels r = REF.gemm().orElseThrow();
        int batch = 4;
        int m = 17;
        int k = 33;
        int n = 15;
        float[] a = Data.uniform(1, 3 + batch * m * k, -1, 1);
        float[] b = Data.uniform(2, 1 + batch * k * n, -1, 1);
        for (long strideB : new long[] {(long) k * n, 0}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] cF = sentinels(2 + batch * m * n);
                float[] cR = sentinels(2 + batch * m * n);
                int ldb = tb ? k : n;
                f.sgemmBatched(batch, false, tb, m, n, k, 1f, a, 3, k, (long) m * k, b, 1, ldb, strideB, 0f, cF, 2, n,
                        (long) m * n);
                r.sgemmBatched(batch, false, tb, m, n, k, 1f, a, 3, k, (long) m * k, b, 1, ldb, strideB, 0f, cR, 2, n,
                        (long) m * n);
                double[] scale = new double[cR.length];
                Arrays.fill(scale, k); // |a|,|b| ≤ 1: Σ|a||b| ≤ k
                assertWithin(cR, cF, scale, 1e-5, 1e-6, "sgemmBatched strideB=" + strideB + " transB=" + tb);
            }
        }
    }

    @Test
    void mixedGemmOfBf16AndF32MatchesF32GemmOfTheWidenedValues() {
        GemmKernels f = fast().gemm();
        GemmKernels r = REF.gemm().orElseThrow();
        int[][] mkn = {{1, 1, 1}, {15, 17, 33}, {33, 129, 17}, {127, 200, 129}};
        for (int[] s : mkn) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (int layout = 0; layout < 8; layout++) {
                boolean ta = (layout & 1) == 1;
                boolean tb = (layout & 2) == 2;
                boolean bf16A = (layout & 4) == 4;
                int lda = (ta ? m : k) + 1;
                int ldb = (tb ? k : n) + 3;
                float[] af = Data.uniform(m + 5L * k, 2 + (ta ? k : m) * lda, -1, 1);
                float[] bf = Data.uniform(n + 7L * k, 1 + (tb ? n : k) * ldb, -1, 1);
                short[] ah = new short[af.length];
                short[] bh = new short[bf.length];
                DTypes.toBf16(af, 0, ah, 0, af.length);
                DTypes.toBf16(bf, 0, bh, 0, bf.length);
                float[] aw = af.clone();
                float[] bw = bf.clone();
                if (bf16A) {
                    DTypes.fromBf16(ah, 0, aw, 0, ah.length);
                } else {
                    DTypes.fromBf16(bh, 0, bw, 0, bh.length);
                }
                float[] cF = sentinels(m * n + 3);
                float[] cR = sentinels(m * n + 3);
                f.mixedGemm(ta, tb, m, n, k, 1f, bf16A ? ah : af, 2, lda, bf16A ? bf : bh, 1, ldb, 0f, cF, 3, n);
                r.sgemm(ta, tb, m, n, k, 1f, aw, 2, lda, bw, 1, ldb, 0f, cR, 3, n);
                double[] scale = new double[cR.length];
                Arrays.fill(scale, k);
                assertWithin(cR, cF, scale, 1e-5, 1e-6, "mixedGemm " + Data.shape(s) + " transA=" + ta
                        + " transB=" + tb + " bf16 " + (bf16A ? "A" : "B"));
            }
        }
    }

    @Test
    void bf16GemmAllTransposes() {
        GemmKernels f = fast().gemm();
        GemmKernels r = REF.gemm().orElseThrow();
        int[][] mkn = {{1, 1, 1}, {15, 17, 33}, {33, 129, 17}, {64, 64, 64}, {127, 200, 129}};
        for (int[] s : mkn) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int lda = (ta ? m : k) + 1;
                    int ldb = (tb ? k : n) + 3;
                    float[] af = Data.uniform(m + 5L * k, 2 + (ta ? k : m) * lda, -1, 1);
                    float[] bf = Data.uniform(n + 7L * k, 1 + (tb ? n : k) * ldb, -1, 1);
                    short[] a = new short[af.length];
                    short[] b = new short[bf.length];
                    DTypes.toBf16(af, 0, a, 0, af.length);
                    DTypes.toBf16(bf, 0, b, 0, bf.length);
                    float[] cF = sentinels(m * n + 3);
                    float[] cR = sentinels(m * n + 3);
                    f.bf16gemm(ta, tb, m, n, k, 1f, a, 2, lda, b, 1, ldb, 0f, cF, 3, n);
                    r.bf16gemm(ta, tb, m, n, k, 1f, a, 2, lda, b, 1, ldb, 0f, cR, 3, n);
                    double[] scale = new double[cR.length];
                    Arrays.fill(scale, k); // bf16 values in [-1,1]: Σ|a||b| ≤ k
                    assertWithin(cR, cF, scale, 1e-5, 1e-6, "bf16gemm " + Data.shape(s) + " transA=" + ta
                            + " transB=" + tb);
                }
            }
        }
    }
}
