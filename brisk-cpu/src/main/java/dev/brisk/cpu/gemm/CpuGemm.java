package dev.brisk.cpu.gemm;

import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.reference.ReferenceBackend;

/** Placeholder: delegates to the reference kernels until the Vector API version lands. */
public final class CpuGemm implements GemmKernels {
    private static final GemmKernels DELEGATE = new ReferenceBackend().gemm().orElseThrow();

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        DELEGATE.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void bf16gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, short[] a, int aOff, int lda,
                         short[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        DELEGATE.bf16gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
