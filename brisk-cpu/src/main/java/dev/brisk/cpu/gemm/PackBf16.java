package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.F;
import static dev.brisk.cpu.gemm.MicroKernel.L;
import static dev.brisk.cpu.gemm.MicroKernel.MR;
import static dev.brisk.cpu.gemm.MicroKernel.NR;
import static dev.brisk.cpu.gemm.Pack.AQ;

import dev.brisk.tensor.DTypes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * As {@link Pack}, for bfloat16 operands (raw bits in {@code short}s), widened to fp32 while packing: a bf16
 * is the upper half of an fp32, so {@code L} shorts are sign-extended to ints, shifted left by 16 and
 * reinterpreted as floats, all in vector registers. Same layouts, same spill convention. The transposing
 * layouts widen a panel's rows into a small staging buffer and reuse the fp32 transpose.
 */
final class PackBf16 {

    /** L shorts: half the bit size of {@link MicroKernel#F}. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);

    private PackBf16() {
    }

    /** L bf16 values to L floats. */
    static FloatVector widen(ShortVector s) {
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /**
     * op(A)(i, p) = a[off + i·lda + p]. Each MR-row panel is widened into {@code stage} as (MR, kc) floats,
     * then packed from there by the fp32 transpose ({@link Pack#aStrided}).
     */
    static void aStrided(short[] a, int off, int lda, int mc, int kc, float alpha, float[] dst, int[] idx,
                         float[] stage) {
        int full = mc - mc % MR;
        for (int i = 0; i < full; i += MR) {
            for (int r = 0; r < MR; r++) {
                widenRow(a, off + (i + r) * lda, stage, r * kc, kc);
            }
            Pack.aStrided(stage, 0, kc, MR, kc, alpha, dst, i * kc, idx);
        }
        if (full < mc) {
            edgeA(a, off + full * lda, lda, 1, mc - full, kc, alpha, dst, full * kc);
        }
    }

    /** op(A)(i, p) = a[off + p·lda + i]. */
    static void aContiguous(short[] a, int off, int lda, int mc, int kc, float alpha, float[] dst) {
        int full = mc - mc % MR;
        int d = 0;
        for (int i = 0; i < full; i += MR) {
            for (int p = 0; p < kc; p++, d += MR) {
                int s = off + p * lda + i;
                if (s + AQ <= a.length) {
                    for (int q = 0; q < MR; q += L) {
                        widen(ShortVector.fromArray(S, a, s + q)).mul(alpha).intoArray(dst, d + q);
                    }
                } else {
                    for (int r = 0; r < MR; r++) {
                        dst[d + r] = alpha * DTypes.bf16ToFloat(a[s + r]);
                    }
                }
            }
        }
        if (full < mc) {
            edgeA(a, off + full, 1, lda, mc - full, kc, alpha, dst, d);
        }
    }

    /** op(B)(p, j) = b[off + p·ldb + j]. */
    static void bContiguous(short[] b, int off, int ldb, int kc, int nc, float[] dst) {
        int full = nc - nc % NR;
        int d = 0;
        for (int j = 0; j < full; j += NR) {
            for (int p = 0; p < kc; p++, d += NR) {
                int s = off + p * ldb + j;
                widen(ShortVector.fromArray(S, b, s)).intoArray(dst, d);
                widen(ShortVector.fromArray(S, b, s + L)).intoArray(dst, d + L);
            }
        }
        if (full < nc) {
            edgeB(b, off + full, ldb, 1, nc - full, kc, dst, d);
        }
    }

    /** op(B)(p, j) = b[off + j·ldb + p]: NR rows of Bᵀ widened into {@code stage}, then {@link Pack#bStrided}. */
    static void bStrided(short[] b, int off, int ldb, int kc, int nc, float[] dst, int[] idx, float[] stage) {
        int full = nc - nc % NR;
        for (int j = 0; j < full; j += NR) {
            for (int r = 0; r < NR; r++) {
                widenRow(b, off + (j + r) * ldb, stage, r * kc, kc);
            }
            Pack.bStrided(stage, 0, kc, kc, NR, dst, j * kc, idx);
        }
        if (full < nc) {
            edgeB(b, off + full * ldb, 1, ldb, nc - full, kc, dst, full * kc);
        }
    }

    /** dst[d : d+len] = widen(src[s : s+len]). */
    static void widenRow(short[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (; i + L <= len && s + i + L <= src.length; i += L) {
            widen(ShortVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < len; i++) {
            dst[d + i] = DTypes.bf16ToFloat(src[s + i]);
        }
    }

    private static void edgeA(short[] a, int off, int rs, int ps, int mr, int kc, float alpha, float[] dst, int d) {
        for (int p = 0; p < kc; p++, d += MR) {
            for (int r = 0; r < MR; r++) {
                dst[d + r] = r < mr ? alpha * DTypes.bf16ToFloat(a[off + r * rs + p * ps]) : 0f;
            }
        }
    }

    private static void edgeB(short[] b, int off, int ps, int js, int nr, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++, d += NR) {
            for (int j = 0; j < NR; j++) {
                dst[d + j] = j < nr ? DTypes.bf16ToFloat(b[off + p * ps + j * js]) : 0f;
            }
        }
    }
}
