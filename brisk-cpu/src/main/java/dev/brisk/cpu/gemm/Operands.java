package dev.brisk.cpu.gemm;

/**
 * op(A) and op(B) of one product, as the packed driver sees them: each operand is fp32 ({@code float[]}) or
 * bfloat16 bits ({@code short[]}, widened while packing), independently, so a bf16 activation times an fp32
 * weight packs straight from both. The element type is tested once per packed block, so every packing loop still
 * sees one layout and one type only.
 */
record Operands(boolean transA, boolean transB, float alpha, Object a, int aOff, int lda, Object b, int bOff,
                int ldb) {

    Operands {
        check("A", a);
        check("B", b);
    }

    static void check(String which, Object x) {
        if (!(x instanceof float[]) && !(x instanceof short[])) {
            throw new IllegalArgumentException("gemm operand " + which + " must be float[] or short[] (bf16), got "
                    + (x == null ? "null" : x.getClass().getSimpleName()));
        }
    }

    /** Packs alpha · op(A)[i0 : i0+mc, p0 : p0+kc]; {@code stage} holds NR × KC floats for widening. */
    void packA(int i0, int p0, int mc, int kc, float[] dst, int[] idx, float[] stage) {
        if (a instanceof float[] f) {
            if (transA) {
                Pack.aContiguous(f, aOff + p0 * lda + i0, lda, mc, kc, alpha, dst);
            } else {
                Pack.aStrided(f, aOff + i0 * lda + p0, lda, mc, kc, alpha, dst, 0, idx);
            }
        } else if (transA) {
            PackBf16.aContiguous((short[]) a, aOff + p0 * lda + i0, lda, mc, kc, alpha, dst);
        } else {
            PackBf16.aStrided((short[]) a, aOff + i0 * lda + p0, lda, mc, kc, alpha, dst, idx, stage);
        }
    }

    /** Packs op(B)[p0 : p0+kc, j0 : j0+nc]. */
    void packB(int p0, int j0, int kc, int nc, float[] dst, int[] idx, float[] stage) {
        if (b instanceof float[] f) {
            if (transB) {
                Pack.bStrided(f, bOff + j0 * ldb + p0, ldb, kc, nc, dst, 0, idx);
            } else {
                Pack.bContiguous(f, bOff + p0 * ldb + j0, ldb, kc, nc, dst);
            }
        } else if (transB) {
            PackBf16.bStrided((short[]) b, bOff + j0 * ldb + p0, ldb, kc, nc, dst, idx, stage);
        } else {
            PackBf16.bContiguous((short[]) b, bOff + p0 * ldb + j0, ldb, kc, nc, dst);
        }
    }
}
