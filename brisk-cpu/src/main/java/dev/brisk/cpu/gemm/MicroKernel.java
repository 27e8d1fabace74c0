package dev.brisk.cpu.gemm;

import dev.brisk.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernel: one MR × NR tile of C updated by a packed A micro-panel times a packed B
 * micro-panel.
 *
 * <pre>
 *   C[0:MR, 0:NR] += Ap · Bp        Ap: (MR, kc) stored p-major (MR floats per p)
 *                                   Bp: (kc, NR) stored p-major (NR floats per p)
 * </pre>
 *
 * MR = 12 rows × NR = 2 vectors: 24 accumulators, 2 B vectors and 1 broadcast A value fit the 32 AVX-512
 * registers. Per k step: 2 vector loads, 12 broadcasts, 24 FMAs, so the two FMA pipes are the bound and the
 * kernel runs near peak on L1/L2-resident panels. The method is deliberately small (about 1 kB of bytecode): a
 * large kernel can be refused by C1 and stranded in code where the Vector API is not intrinsified. alpha is
 * folded into Ap while packing and beta is applied to C before the first k block, so the kernel only adds.
 */
final class MicroKernel {

    static final VectorSpecies<Float> F = Simd.F;
    static final int L = F.length();
    /** Rows of a micro-tile. */
    static final int MR = 12;
    /** Columns of a micro-tile: two vectors. */
    static final int NR = 2 * L;

    private MicroKernel() {
    }

    /** {@code c[ci + r·ldc + j] += Σ_p ap[a + p·MR + r] · bp[b + p·NR + j]} for r < MR, j < NR. */
    static void tile(int kc, float[] ap, int a, float[] bp, int b, float[] c, int ci, int ldc) {
        int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = FloatVector.fromArray(F, c, r0), c01 = FloatVector.fromArray(F, c, r0 + L);
        FloatVector c10 = FloatVector.fromArray(F, c, r1), c11 = FloatVector.fromArray(F, c, r1 + L);
        FloatVector c20 = FloatVector.fromArray(F, c, r2), c21 = FloatVector.fromArray(F, c, r2 + L);
        FloatVector c30 = FloatVector.fromArray(F, c, r3), c31 = FloatVector.fromArray(F, c, r3 + L);
        FloatVector c40 = FloatVector.fromArray(F, c, r4), c41 = FloatVector.fromArray(F, c, r4 + L);
        FloatVector c50 = FloatVector.fromArray(F, c, r5), c51 = FloatVector.fromArray(F, c, r5 + L);
        int r6 = r5 + ldc, r7 = r6 + ldc, r8 = r7 + ldc, r9 = r8 + ldc, r10 = r9 + ldc, r11 = r10 + ldc;
        FloatVector c60 = FloatVector.fromArray(F, c, r6), c61 = FloatVector.fromArray(F, c, r6 + L);
        FloatVector c70 = FloatVector.fromArray(F, c, r7), c71 = FloatVector.fromArray(F, c, r7 + L);
        FloatVector c80 = FloatVector.fromArray(F, c, r8), c81 = FloatVector.fromArray(F, c, r8 + L);
        FloatVector c90 = FloatVector.fromArray(F, c, r9), c91 = FloatVector.fromArray(F, c, r9 + L);
        FloatVector ca0 = FloatVector.fromArray(F, c, r10), ca1 = FloatVector.fromArray(F, c, r10 + L);
        FloatVector cb0 = FloatVector.fromArray(F, c, r11), cb1 = FloatVector.fromArray(F, c, r11 + L);
        for (int p = 0; p < kc; p++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b);
            FloatVector b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x = FloatVector.broadcast(F, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(F, ap[a + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(F, ap[a + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(F, ap[a + 10]);
            ca0 = x.fma(b0, ca0);
            ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(F, ap[a + 11]);
            cb0 = x.fma(b0, cb0);
            cb1 = x.fma(b1, cb1);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + L);
        c80.intoArray(c, r8);
        c81.intoArray(c, r8 + L);
        c90.intoArray(c, r9);
        c91.intoArray(c, r9 + L);
        ca0.intoArray(c, r10);
        ca1.intoArray(c, r10 + L);
        cb0.intoArray(c, r11);
        cb1.intoArray(c, r11 + L);
    }

    /**
     * An edge tile ({@code mr <= MR}, {@code nr <= NR}): C is copied into the MR × NR scratch {@code tile},
     * updated by {@link #tile} and copied back, so the hot kernel never needs a mask.
     */
    static void edge(int kc, float[] ap, int a, float[] bp, int b, float[] c, int ci, int ldc, int mr, int nr,
                     float[] tile) {
        java.util.Arrays.fill(tile, 0, MR * NR, 0f);
        for (int r = 0; r < mr; r++) {
            System.arraycopy(c, ci + r * ldc, tile, r * NR, nr);
        }
        tile(kc, ap, a, bp, b, tile, 0, NR);
        for (int r = 0; r < mr; r++) {
            System.arraycopy(tile, r * NR, c, ci + r * ldc, nr);
        }
    }
}
