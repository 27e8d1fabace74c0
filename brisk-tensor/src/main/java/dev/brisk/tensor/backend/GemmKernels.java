package dev.brisk.tensor.backend;

/**
 * Single-precision matrix products on row-major heap arrays, BLAS-style.
 *
 * <pre>
 *   C = alpha · op(A) · op(B) + beta · C        op(X) = X or Xᵀ
 *   op(A): (m, k)   op(B): (k, n)   C: (m, n)
 * </pre>
 *
 * {@code lda}, {@code ldb}, {@code ldc} are the row strides of A, B and C <em>as stored</em>: A stored
 * (m, k) when {@code !transA} and (k, m) when {@code transA}; likewise B. When {@code beta == 0}, C is
 * overwritten and its previous contents (even NaN) are ignored, as in BLAS. {@code k == 0} gives
 * {@code beta · C}. Implementations may use the shared intra-op pool ({@link dev.brisk.tensor.Parallel}).
 */
public interface GemmKernels {

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /**
     * {@code batch} independent products; matrix {@code i} starts at {@code aOff + i·strideA} (and likewise
     * for B and C). A stride of 0 reuses one matrix for every batch entry (broadcast).
     */
    default void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, long strideA,
                              float[] b, int bOff, int ldb, long strideB,
                              float beta, float[] c, int cOff, int ldc, long strideC) {
        for (int i = 0; i < batch; i++) {
            sgemm(transA, transB, m, n, k, alpha,
                    a, Math.toIntExact(aOff + i * strideA), lda,
                    b, Math.toIntExact(bOff + i * strideB), ldb,
                    beta, c, Math.toIntExact(cOff + i * strideC), ldc);
        }
    }

    /**
     * As {@link #sgemm} with bfloat16 operands (raw bits in {@code short}s) widened to fp32 while packing;
     * accumulation and C are fp32.
     */
    void bf16gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                  short[] a, int aOff, int lda,
                  short[] b, int bOff, int ldb,
                  float beta, float[] c, int cOff, int ldc);

    /**
     * As {@link #sgemm}, with each operand either fp32 ({@code float[]}) or bfloat16 bits ({@code short[]}), so
     * that an activation kept in bf16 multiplies an fp32 weight or gradient without either being converted first
     * (mixed-precision training). This default widens a bf16 operand next to an fp32 one into a temporary;
     * backends override it to widen while packing.
     */
    default void mixedGemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           Object a, int aOff, int lda, Object b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        if (a instanceof short[] sa && b instanceof short[] sb) {
            bf16gemm(transA, transB, m, n, k, alpha, sa, aOff, lda, sb, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int aSpan = transA ? k : m;
        int bSpan = transB ? n : k;
        float[] fa = widened(a, aOff, lda, aSpan, transA ? m : k);
        float[] fb = widened(b, bOff, ldb, bSpan, transB ? k : n);
        sgemm(transA, transB, m, n, k, alpha, fa, a instanceof float[] ? aOff : 0, lda,
                fb, b instanceof float[] ? bOff : 0, ldb, beta, c, cOff, ldc);
    }

    /**
     * The {@code float[]} itself, or the stored (rows, cols) matrix at {@code off} with row stride {@code ld} widened
     * from bf16 into a new array that starts at that matrix (offset 0, same row stride).
     */
    private static float[] widened(Object x, int off, int ld, int rows, int cols) {
        if (x instanceof float[] f) {
            return f;
        }
        if (!(x instanceof short[] s)) {
            throw new IllegalArgumentException("mixedGemm operands must be float[] or short[] (bf16), got "
                    + (x == null ? "null" : x.getClass().getSimpleName()));
        }
        if (rows == 0 || cols == 0) {
            return new float[0];
        }
        float[] out = new float[(rows - 1) * ld + cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[r * ld + j] = dev.brisk.tensor.DTypes.bf16ToFloat(s[off + r * ld + j]);
            }
        }
        return out;
    }

    /** {@link #mixedGemm} over a batch, as {@link #sgemmBatched}. */
    default void mixedGemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  Object a, int aOff, int lda, long strideA, Object b, int bOff, int ldb,
                                  long strideB, float beta, float[] c, int cOff, int ldc, long strideC) {
        if (a instanceof float[] fa && b instanceof float[] fb) {
            sgemmBatched(batch, transA, transB, m, n, k, alpha, fa, aOff, lda, strideA, fb, bOff, ldb, strideB,
                    beta, c, cOff, ldc, strideC);
            return;
        }
        for (int i = 0; i < batch; i++) {
            mixedGemm(transA, transB, m, n, k, alpha, a, Math.toIntExact(aOff + i * strideA), lda,
                    b, Math.toIntExact(bOff + i * strideB), ldb, beta, c, Math.toIntExact(cOff + i * strideC), ldc);
        }
    }
}
