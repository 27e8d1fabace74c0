package dev.brisk.compress.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 × int8 → int32 GEMM, {@code C[m][n] = Σ_k A[m][k]·B[n][k]} (both operands row-major with K contiguous,
 * the layout of a weight matrix (out, in) and of activations or im2col patches (rows, in)); the scalar twin is
 * {@link Int8GemmReference}.
 *
 * <p>Kernel: one row of A against four rows of B. Each step loads one lane-count of bytes of each row, sign-extends
 * them to int lanes ({@code B2I}, one {@code vpmovsxbd} on AVX-512), and multiply-adds into four int
 * accumulators; the k tail is scalar; the accumulators are summed across lanes at the end of the row pair. Napkin
 * math: 2·M·N·K int ops; with 16 int lanes and one multiply-add pair per 16 products the kernel is bound by the
 * int multiply ports rather than memory for the K of a conv layer (9·C ≥ 288). The method bodies are kept small so
 * that C2 compiles them (see research notes: large kernels can be stranded in C1).
 */
public final class Int8Gemm {

    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTE = VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(INT.vectorBitSize() / 4));
    private static final int LANES = INT.length();

    private Int8Gemm() {
    }

    public static void gemm(byte[] a, int aOff, byte[] b, int bOff, int[] c, int cOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * k;
            int ci = cOff + i * n;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                dot4(a, ai, b, bOff + j * k, k, c, ci + j);
            }
            for (; j < n; j++) {
                c[ci + j] = dot(a, ai, b, bOff + j * k, k);
            }
        }
    }

    /** c[cj..cj+3] = the dot products of A's row at ai with the four B rows starting at bj. */
    private static void dot4(byte[] a, int ai, byte[] b, int bj, int k, int[] c, int cj) {
        IntVector s0 = IntVector.zero(INT);
        IntVector s1 = s0;
        IntVector s2 = s0;
        IntVector s3 = s0;
        int bound = k - LANES + 1;
        int p = 0;
        for (; p < bound; p += LANES) {
            IntVector x = widen(a, ai + p);
            s0 = s0.add(x.mul(widen(b, bj + p)));
            s1 = s1.add(x.mul(widen(b, bj + k + p)));
            s2 = s2.add(x.mul(widen(b, bj + 2 * k + p)));
            s3 = s3.add(x.mul(widen(b, bj + 3 * k + p)));
        }
        int r0 = s0.reduceLanes(VectorOperators.ADD);
        int r1 = s1.reduceLanes(VectorOperators.ADD);
        int r2 = s2.reduceLanes(VectorOperators.ADD);
        int r3 = s3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            int x = a[ai + p];
            r0 += x * b[bj + p];
            r1 += x * b[bj + k + p];
            r2 += x * b[bj + 2 * k + p];
            r3 += x * b[bj + 3 * k + p];
        }
        c[cj] = r0;
        c[cj + 1] = r1;
        c[cj + 2] = r2;
        c[cj + 3] = r3;
    }

    private static int dot(byte[] a, int ai, byte[] b, int bj, int k) {
        IntVector s = IntVector.zero(INT);
        int p = 0;
        for (; p < k - LANES + 1; p += LANES) {
            s = s.add(widen(a, ai + p).mul(widen(b, bj + p)));
        }
        int r = s.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            r += a[ai + p] * b[bj + p];
        }
        return r;
    }

    /**
     * {@code C[m][n] = Σ_k A[m][k]·B[k][n]}: A (M×K) and B (K×N) row-major (B with N contiguous: convolution patches
     * in the classic im2col layout, one row per (channel, ky, kx), one column per output pixel). Vectorised over n:
     * four rows of A (broadcast) against two lane-counts of B's row, eight int accumulators, so that a small K (a
     * first conv layer's 9) runs on vectors too. The scalar twin is {@link Int8GemmReference#gemmNN}.
     */
    public static void gemmNN(byte[] a, int aOff, byte[] b, int bOff, int[] c, int cOff, int m, int n, int k) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int j = 0;
            for (; j + 2 * LANES <= n; j += 2 * LANES) {
                block4x2(a, aOff + i * k, b, bOff + j, c, cOff + i * n + j, n, k);
            }
            for (; j < n; j++) {
                for (int r = 0; r < 4; r++) {
                    c[cOff + (i + r) * n + j] = column(a, aOff + (i + r) * k, b, bOff + j, n, k);
                }
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * n + j] = column(a, aOff + i * k, b, bOff + j, n, k);
            }
        }
    }

    /** Rows ai..ai+3k of A against columns bj..bj+2·LANES of B. */
    private static void block4x2(byte[] a, int ai, byte[] b, int bj, int[] c, int cj, int n, int k) {
        IntVector c00 = IntVector.zero(INT);
        IntVector c01 = c00;
        IntVector c10 = c00;
        IntVector c11 = c00;
        IntVector c20 = c00;
        IntVector c21 = c00;
        IntVector c30 = c00;
        IntVector c31 = c00;
        for (int p = 0; p < k; p++) {
            int row = bj + p * n;
            IntVector b0 = widen(b, row);
            IntVector b1 = widen(b, row + LANES);
            IntVector a0 = IntVector.broadcast(INT, a[ai + p]);
            IntVector a1 = IntVector.broadcast(INT, a[ai + k + p]);
            IntVector a2 = IntVector.broadcast(INT, a[ai + 2 * k + p]);
            IntVector a3 = IntVector.broadcast(INT, a[ai + 3 * k + p]);
            c00 = c00.add(a0.mul(b0));
            c01 = c01.add(a0.mul(b1));
            c10 = c10.add(a1.mul(b0));
            c11 = c11.add(a1.mul(b1));
            c20 = c20.add(a2.mul(b0));
            c21 = c21.add(a2.mul(b1));
            c30 = c30.add(a3.mul(b0));
            c31 = c31.add(a3.mul(b1));
        }
        c00.intoArray(c, cj);
        c01.intoArray(c, cj + LANES);
        c10.intoArray(c, cj + n);
        c11.intoArray(c, cj + n + LANES);
        c20.intoArray(c, cj + 2 * n);
        c21.intoArray(c, cj + 2 * n + LANES);
        c30.intoArray(c, cj + 3 * n);
        c31.intoArray(c, cj + 3 * n + LANES);
    }

    private static int column(byte[] a, int ai, byte[] b, int bj, int n, int k) {
        int r = 0;
        for (int p = 0; p < k; p++) {
            r += a[ai + p] * b[bj + p * n];
        }
        return r;
    }

    private static IntVector widen(byte[] x, int at) {
        return (IntVector) ByteVector.fromArray(BYTE, x, at).convertShape(VectorOperators.B2I, INT, 0);
    }
}
