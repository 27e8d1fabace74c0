package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.F;
import static dev.brisk.cpu.gemm.MicroKernel.L;
import static dev.brisk.cpu.gemm.MicroKernel.MR;
import static dev.brisk.cpu.gemm.MicroKernel.NR;

import jdk.incubator.vector.FloatVector;

/**
 * Packing of fp32 operands into the micro-panel layouts {@link MicroKernel} reads.
 *
 * <pre>
 *   A block (mc, kc) -> ceil(mc/MR) panels; panel t holds rows [t·MR, t·MR+MR), element (r, p) at t·MR·kc + p·MR + r
 *   B block (kc, nc) -> ceil(nc/NR) panels; panel t holds cols [t·NR, t·NR+NR), element (p, j) at t·NR·kc + p·NR + j
 * </pre>
 *
 * Each stored layout has its own method (a shared one would see several layouts and deoptimise, trap 6):
 * "contiguous" means the panel's fast index is contiguous in memory (Aᵀ stored, or B stored) and is a plain
 * vector copy; "strided" (A stored, or Bᵀ stored) is a transpose, done 16 × 16 in registers ({@link Transpose}),
 * with gathers of constant row offsets for the last k % 16 steps (and for species other than 16 lanes). A full
 * store of a vector at p·MR may spill past the MR floats of step p; the next step overwrites the spill, and
 * destination buffers keep {@link #SPARE} floats at the end for the last one. Ragged last panels are packed by
 * the scalar {@code edge} methods and zero-filled. alpha is folded into A here.
 */
final class Pack {

    /** MR rounded up to whole vectors: the lanes a gather or copy of one A step touches. */
    static final int AQ = (MR + L - 1) / L * L;
    /** Spare floats a destination buffer needs beyond its panels. */
    static final int SPARE = AQ;

    private Pack() {
    }

    /** op(A)(i, p) = a[off + i·lda + p] (A stored (m, k), not transposed); panels from dst[d0]. */
    static void aStrided(float[] a, int off, int lda, int mc, int kc, float alpha, float[] dst, int d0, int[] idx) {
        for (int r = 0; r < AQ; r++) {
            idx[r] = r < MR ? r * lda : 0; // unused lanes read a valid element (masked gathers still range-check)
        }
        int full = mc - mc % MR;
        int d = d0;
        for (int i = 0; i < full; i += MR, d += MR * kc) {
            int base = off + i * lda;
            int p = 0;
            if (Transpose.AVAILABLE) {
                for (; p + 16 <= kc; p += 16) {
                    if (alpha == 1f) {
                        Transpose.f32(a, base + p, lda, MR, dst, d + p * MR, MR);
                    } else {
                        Transpose.f32Scaled(a, base + p, lda, MR, alpha, dst, d + p * MR, MR);
                    }
                }
            }
            for (; p < kc; p++) {
                for (int q = 0; q < MR; q += L) {
                    FloatVector.fromArray(F, a, base + p, idx, q).mul(alpha).intoArray(dst, d + p * MR + q);
                }
            }
        }
        if (full < mc) {
            edgeA(a, off + full * lda, lda, 1, mc - full, kc, alpha, dst, d);
        }
    }

    /** op(A)(i, p) = a[off + p·lda + i] (A stored (k, m), transposed). */
    static void aContiguous(float[] a, int off, int lda, int mc, int kc, float alpha, float[] dst) {
        int full = mc - mc % MR;
        int d = 0;
        for (int i = 0; i < full; i += MR) {
            for (int p = 0; p < kc; p++, d += MR) {
                int s = off + p * lda + i;
                if (s + AQ <= a.length) {
                    for (int q = 0; q < MR; q += L) {
                        FloatVector.fromArray(F, a, s + q).mul(alpha).intoArray(dst, d + q);
                    }
                } else {
                    for (int r = 0; r < MR; r++) {
                        dst[d + r] = alpha * a[s + r];
                    }
                }
            }
        }
        if (full < mc) {
            edgeA(a, off + full, 1, lda, mc - full, kc, alpha, dst, d);
        }
    }

    /** op(B)(p, j) = b[off + p·ldb + j] (B stored (k, n), not transposed). */
    static void bContiguous(float[] b, int off, int ldb, int kc, int nc, float[] dst) {
        int full = nc - nc % NR;
        int d = 0;
        for (int j = 0; j < full; j += NR) {
            for (int p = 0; p < kc; p++, d += NR) {
                int s = off + p * ldb + j;
                FloatVector.fromArray(F, b, s).intoArray(dst, d);
                FloatVector.fromArray(F, b, s + L).intoArray(dst, d + L);
            }
        }
        if (full < nc) {
            edgeB(b, off + full, ldb, 1, nc - full, kc, dst, d);
        }
    }

    /** op(B)(p, j) = b[off + j·ldb + p] (B stored (n, k), transposed); panels from dst[d0]. */
    static void bStrided(float[] b, int off, int ldb, int kc, int nc, float[] dst, int d0, int[] idx) {
        for (int j = 0; j < NR; j++) {
            idx[j] = j * ldb;
        }
        int full = nc - nc % NR;
        int d = d0;
        for (int j = 0; j < full; j += NR, d += NR * kc) {
            int base = off + j * ldb;
            int p = 0;
            if (Transpose.AVAILABLE) {
                for (; p + 16 <= kc; p += 16) {
                    Transpose.f32(b, base + p, ldb, 16, dst, d + p * NR, NR);
                    Transpose.f32(b, base + 16 * ldb + p, ldb, 16, dst, d + p * NR + 16, NR);
                }
            }
            for (; p < kc; p++) {
                FloatVector.fromArray(F, b, base + p, idx, 0).intoArray(dst, d + p * NR);
                FloatVector.fromArray(F, b, base + p, idx, L).intoArray(dst, d + p * NR + L);
            }
        }
        if (full < nc) {
            edgeB(b, off + full * ldb, 1, ldb, nc - full, kc, dst, d);
        }
    }

    /** Last, ragged A panel: op(A)(r, p) = a[off + r·rs + p·ps] for r < mr, zero for mr <= r < MR. */
    private static void edgeA(float[] a, int off, int rs, int ps, int mr, int kc, float alpha, float[] dst, int d) {
        for (int p = 0; p < kc; p++, d += MR) {
            for (int r = 0; r < MR; r++) {
                dst[d + r] = r < mr ? alpha * a[off + r * rs + p * ps] : 0f;
            }
        }
    }

    /** Last, ragged B panel: op(B)(p, j) = b[off + p·ps + j·js] for j < nr, zero for nr <= j < NR. */
    private static void edgeB(float[] b, int off, int ps, int js, int nr, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++, d += NR) {
            for (int j = 0; j < NR; j++) {
                dst[d + j] = j < nr ? b[off + p * ps + j * js] : 0f;
            }
        }
    }
}
