package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.F;
import static dev.brisk.cpu.gemm.MicroKernel.L;
import static dev.brisk.cpu.gemm.MicroKernel.MR;
import static dev.brisk.cpu.gemm.MicroKernel.NR;

import jdk.incubator.vector.FloatVector;

/**
 * The cache-blocked (Goto/BLIS) driver for one rectangle of C, on one thread.
 *
 * <pre>
 *   for jc in cols step NC                     B block (KC, NC) packed, lives in L2/L3
 *     for pc in 0..k step KC
 *       pack op(B)[pc.., jc..]
 *       for ic in rows step MC                 A block (MC, KC) packed, lives in L2
 *         pack alpha · op(A)[ic.., pc..]
 *         for jr in 0..nc step NR              B micro-panel (KC, NR) = 32 KB stays in L1
 *           for ir in 0..mc step MR
 *             C[ic+ir.., jc+jr..] += Ap[ir] · Bp[jr]     (MicroKernel.tile)
 * </pre>
 *
 * Block sizes are balanced: k = 784 runs as 4 blocks of 196, not 3 × 256 + 16, so no block is a sliver.
 * beta is applied to the rectangle before the first k block, so every block only accumulates.
 */
final class PackedGemm {

    static final int KC = 256;
    static final int MC = 384;
    static final int NC = 2048;

    private PackedGemm() {
    }

    /** C[i0:i1, j0:j1] = op(A)·op(B) (alpha already in {@code ops}) + beta · C, using {@code s}'s buffers. */
    static void region(Operands ops, int i0, int i1, int j0, int j1, int k, float beta,
                       float[] c, int cOff, int ldc, Scratch s) {
        scale(beta, c, cOff + i0 * ldc + j0, ldc, i1 - i0, j1 - j0);
        int kc0 = balanced(k, KC, 1);
        int mc0 = balanced(i1 - i0, MC, MR);
        int nc0 = balanced(j1 - j0, NC, NR);
        float[] ap = s.packA(roundUp(mc0, MR) * kc0 + Pack.SPARE);
        float[] bp = s.packB(roundUp(nc0, NR) * kc0 + Pack.SPARE);
        for (int jc = j0; jc < j1; jc += nc0) {
            int nc = Math.min(nc0, j1 - jc);
            for (int pc = 0; pc < k; pc += kc0) {
                int kc = Math.min(kc0, k - pc);
                ops.packB(pc, jc, kc, nc, bp, s.idx, s.stage);
                for (int ic = i0; ic < i1; ic += mc0) {
                    int mc = Math.min(mc0, i1 - ic);
                    ops.packA(ic, pc, mc, kc, ap, s.idx, s.stage);
                    macro(mc, nc, kc, ap, bp, c, cOff + ic * ldc + jc, ldc, s.tile);
                }
            }
        }
    }

    private static void macro(int mc, int nc, int kc, float[] ap, float[] bp, float[] c, int ci, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                if (mr == MR && nr == NR) {
                    MicroKernel.tile(kc, ap, ir * kc, bp, jr * kc, c, ci + ir * ldc + jr, ldc);
                } else {
                    MicroKernel.edge(kc, ap, ir * kc, bp, jr * kc, c, ci + ir * ldc + jr, ldc, mr, nr, tile);
                }
            }
        }
    }

    /** C[0:rows, 0:cols] *= beta, where beta == 0 overwrites with zeros (old NaNs included). */
    static void scale(float beta, float[] c, int ci, int ldc, int rows, int cols) {
        if (beta == 1f) {
            return;
        }
        int vec = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int o = ci + r * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, o, o + cols, 0f);
                continue;
            }
            int j = 0;
            for (; j < vec; j += L) {
                FloatVector.fromArray(F, c, o + j).mul(beta).intoArray(c, o + j);
            }
            for (; j < cols; j++) {
                c[o + j] *= beta;
            }
        }
    }

    /** Splits {@code len} into equal blocks of at most about {@code max}, each a multiple of {@code unit}. */
    static int balanced(int len, int max, int unit) {
        int blocks = Math.max(1, (len + max - 1) / max);
        return roundUp((len + blocks - 1) / blocks, unit);
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }
}
