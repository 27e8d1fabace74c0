package dev.brisk.tensor.reference;

import dev.brisk.tensor.DTypes;
import dev.brisk.tensor.backend.GemmKernels;

/** Triple loop with a double accumulator per output: slow, simple, and more accurate than any fast path. */
final class ReferenceGemm implements GemmKernels {

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? (float) (alpha * acc) : (float) (alpha * acc + beta * c[ci]);
            }
        }
    }

    @Override
    public void bf16gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         short[] a, int aOff, int lda, short[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    short av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    short bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += (double) DTypes.bf16ToFloat(av) * DTypes.bf16ToFloat(bv);
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? (float) (alpha * acc) : (float) (alpha * acc + beta * c[ci]);
            }
        }
    }
}
