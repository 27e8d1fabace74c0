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
}
