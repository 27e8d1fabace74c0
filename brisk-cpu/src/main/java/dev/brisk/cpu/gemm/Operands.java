package dev.brisk.cpu.gemm;

/**
 * op(A) and op(B) of one product, as the packed driver sees them: something that packs an (mc, kc) block of
 * op(A) and a (kc, nc) block of op(B) into {@link Pack}'s panel layouts. One implementation per element type;
 * each picks its layout's own packing method, so every packing loop sees one layout only.
 */
sealed interface Operands {

    /** Packs alpha · op(A)[i0 : i0+mc, p0 : p0+kc]; {@code stage} holds NR × KC floats for widening. */
    void packA(int i0, int p0, int mc, int kc, float[] dst, int[] idx, float[] stage);

    /** Packs op(B)[p0 : p0+kc, j0 : j0+nc]. */
    void packB(int p0, int j0, int kc, int nc, float[] dst, int[] idx, float[] stage);

    record F32(boolean transA, boolean transB, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb)
            implements Operands {
        @Override
        public void packA(int i0, int p0, int mc, int kc, float[] dst, int[] idx, float[] stage) {
            if (transA) {
                Pack.aContiguous(a, aOff + p0 * lda + i0, lda, mc, kc, alpha, dst);
            } else {
                Pack.aStrided(a, aOff + i0 * lda + p0, lda, mc, kc, alpha, dst, 0, idx);
            }
        }

        @Override
        public void packB(int p0, int j0, int kc, int nc, float[] dst, int[] idx, float[] stage) {
            if (transB) {
                Pack.bStrided(b, bOff + j0 * ldb + p0, ldb, kc, nc, dst, 0, idx);
            } else {
                Pack.bContiguous(b, bOff + p0 * ldb + j0, ldb, kc, nc, dst);
            }
        }
    }

    record Bf16(boolean transA, boolean transB, float alpha, short[] a, int aOff, int lda, short[] b, int bOff, int ldb)
            implements Operands {
        @Override
        public void packA(int i0, int p0, int mc, int kc, float[] dst, int[] idx, float[] stage) {
            if (transA) {
                PackBf16.aContiguous(a, aOff + p0 * lda + i0, lda, mc, kc, alpha, dst);
            } else {
                PackBf16.aStrided(a, aOff + i0 * lda + p0, lda, mc, kc, alpha, dst, idx, stage);
            }
        }

        @Override
        public void packB(int p0, int j0, int kc, int nc, float[] dst, int[] idx, float[] stage) {
            if (transB) {
                PackBf16.bStrided(b, bOff + j0 * ldb + p0, ldb, kc, nc, dst, idx, stage);
            } else {
                PackBf16.bContiguous(b, bOff + p0 * ldb + j0, ldb, kc, nc, dst);
            }
        }
    }
}
