package dev.brisk.blas;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.GemmKernels;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@link GemmKernels} on {@code cblas_sgemm}, called row-major on the caller's heap arrays.
 *
 * <pre>
 *   C = alpha · op(A) · op(B) + beta · C       A: (m, k) or (k, m) as stored, row stride lda
 *   → cblas_sgemm(CblasRowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans,
 *                 m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)
 * </pre>
 *
 * Row-major CBLAS has exactly Brisk's semantics, so arguments pass through unchanged. What Java must do
 * itself: check every argument (native code would read or write out of bounds, or call {@code xerbla} and
 * return silently); return early when {@code m} or {@code n} is 0; and compute {@code C = beta · C} when
 * {@code k == 0}, since BLAS implementations may skip C then.
 *
 * <p>Threads: OpenBLAS runs its own thread pool. Before each call its size is brought in line with
 * {@link Parallel#threads()} (one volatile read when nothing changed), so {@code --threads} governs it too.
 *
 * <p>bf16: with {@code cblas_sbgemm} (OpenBLAS built with {@code BUILD_BFLOAT16}) the bit patterns go to native
 * code as they are; otherwise both operands are widened into per-thread fp32 scratch (exact: bf16 is the top half
 * of an fp32) and multiplied with {@code cblas_sgemm}. Widening moves 6 bytes per element, against
 * 2·m·n·k flops.
 */
final class BlasGemm implements GemmKernels {

    private final BlasLibrary lib;
    private final boolean useSbgemm;
    /** The thread count last given to the library; 0 before the first call. */
    private volatile int blasThreads;

    /** Widening scratch for bf16 without {@code cblas_sbgemm}: grows to the largest operands seen per thread. */
    private final ThreadLocal<float[][]> scratch =
            ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    /** @param useSbgemm use {@code cblas_sbgemm} for bf16 when the library has it (false forces widening) */
    BlasGemm(BlasLibrary lib, boolean useSbgemm) {
        this.lib = lib;
        this.useSbgemm = useSbgemm && lib.sbgemm() != null;
    }

    /** True when bf16 products run on {@code cblas_sbgemm}, false when they are widened to fp32. */
    boolean nativeBf16() {
        return useSbgemm;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(c, "c");
        check("sgemm", transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(beta, c, cOff, ldc, m, n);
            return;
        }
        call(lib.sgemm(), transA, transB, m, n, k, alpha,
                MemorySegment.ofArray(a).asSlice(4L * aOff), lda,
                MemorySegment.ofArray(b).asSlice(4L * bOff), ldb,
                beta, c, cOff, ldc);
    }

    @Override
    public void bf16gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         short[] a, int aOff, int lda, short[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        Objects.requireNonNull(c, "c");
        check("bf16gemm", transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(beta, c, cOff, ldc, m, n);
            return;
        }
        if (useSbgemm) {
            if (beta == 0f) {
                // Guarantee "beta == 0 overwrites C" even if a bf16 kernel multiplies old C (NaN) by zero.
                scale(0f, c, cOff, ldc, m, n);
            }
            call(lib.sbgemm(), transA, transB, m, n, k, alpha,
                    MemorySegment.ofArray(a).asSlice(2L * aOff), lda,
                    MemorySegment.ofArray(b).asSlice(2L * bOff), ldb,
                    beta, c, cOff, ldc);
            return;
        }
        // op(A) stored (rowsA, colsA), op(B) stored (rowsB, colsB); widened densely (ld = cols).
        int rowsA = transA ? k : m, colsA = transA ? m : k;
        int rowsB = transB ? n : k, colsB = transB ? k : n;
        float[][] s = scratch.get();
        if (s[0].length < rowsA * colsA) {
            s[0] = new float[rowsA * colsA];
        }
        if (s[1].length < rowsB * colsB) {
            s[1] = new float[rowsB * colsB];
        }
        widen(a, aOff, lda, rowsA, colsA, s[0]);
        widen(b, bOff, ldb, rowsB, colsB, s[1]);
        call(lib.sgemm(), transA, transB, m, n, k, alpha,
                MemorySegment.ofArray(s[0]), colsA, MemorySegment.ofArray(s[1]), colsB, beta, c, cOff, ldc);
    }

    private void call(MethodHandle gemm, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, int lda, MemorySegment b, int ldb, float beta, float[] c, int cOff, int ldc) {
        syncThreads();
        try {
            gemm.invokeExact(BlasLibrary.ROW_MAJOR, transA ? BlasLibrary.TRANS : BlasLibrary.NO_TRANS,
                    transB ? BlasLibrary.TRANS : BlasLibrary.NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, MemorySegment.ofArray(c).asSlice(4L * cOff), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("native gemm call into " + lib.location() + " failed", t);
        }
    }

    private void syncThreads() {
        int want = Parallel.threads();
        if (want != blasThreads) {
            synchronized (this) {
                if (want != blasThreads) {
                    lib.setThreads(want);
                    blasThreads = want;
                }
            }
        }
    }

    /** {@code C = beta · C} over (m, n); beta == 0 writes zeros whatever C held. */
    private static void scale(float beta, float[] c, int cOff, int ldc, int m, int n) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /** (rows, cols) bf16 at {@code src[off + r·ld + c]} → dense fp32 {@code dst[r·cols + c]}. */
    private static void widen(short[] src, int off, int ld, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int s = off + r * ld, d = r * cols;
            for (int j = 0; j < cols; j++) {
                dst[d + j] = Float.intBitsToFloat((src[s + j] & 0xFFFF) << 16);
            }
        }
    }

    /**
     * Rejects anything that would make native code touch memory outside the arrays, or that BLAS would reject
     * (it calls {@code xerbla}, prints, and returns without computing). Only dimensions that are used are
     * checked: nothing is read from A or B when {@code k == 0}, and nothing at all when {@code m} or {@code n} is 0.
     */
    static void check(String op, boolean transA, boolean transB, int m, int n, int k,
                      int aLen, int aOff, int lda, int bLen, int bOff, int ldb, int cLen, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k > 0) {
            fits(op, "A", "a", "lda", transA ? k : m, transA ? m : k, aLen, aOff, lda,
                    transA ? "transA: A stored (k, m)" : "A stored (m, k)");
            fits(op, "B", "b", "ldb", transB ? n : k, transB ? k : n, bLen, bOff, ldb,
                    transB ? "transB: B stored (n, k)" : "B stored (k, n)");
        }
        fits(op, "C", "c", "ldc", m, n, cLen, cOff, ldc, "C is (m, n)");
    }

    private static void fits(String op, String matrix, String array, String ldName, int rows, int cols,
                             int length, int off, int ld, String layout) {
        if (ld < cols) {
            throw new IllegalArgumentException(op + ": " + ldName + "=" + ld + " is less than the " + cols
                    + " columns of " + matrix + " (" + layout + "); " + ldName + " is the row stride of "
                    + matrix + " as stored");
        }
        long end = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || end > length) {
            throw new IllegalArgumentException(op + ": " + matrix + " (" + rows + " x " + cols + ", " + ldName
                    + "=" + ld + ", " + array + "Off=" + off + ") needs elements [" + off + ", " + end + ") but "
                    + array + ".length is " + length);
        }
    }
}
