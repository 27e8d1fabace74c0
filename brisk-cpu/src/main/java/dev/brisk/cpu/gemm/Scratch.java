package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.MR;
import static dev.brisk.cpu.gemm.MicroKernel.NR;

/**
 * Per-thread GEMM buffers, grown on demand and kept: steady-state calls allocate nothing big. One per thread
 * (pool workers and every user thread that calls a GEMM), so concurrent callers never share a buffer.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    final float[] tile = new float[MR * NR];
    final int[] idx = new int[Math.max(Pack.AQ, NR)];
    /** Widened bf16 rows of one panel: NR × KC floats. */
    final float[] stage = new float[NR * PackedGemm.KC + Pack.SPARE];
    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] x = new float[0];
    private float[] y = new float[0];

    static Scratch get() {
        return LOCAL.get();
    }

    float[] packA(int n) {
        return a.length >= n ? a : (a = new float[n]);
    }

    float[] packB(int n) {
        return b.length >= n ? b : (b = new float[n]);
    }

    /** Staging for the direct path (a transposed or widened operand). */
    float[] x(int n) {
        return x.length >= n ? x : (x = new float[n]);
    }

    float[] y(int n) {
        return y.length >= n ? y : (y = new float[n]);
    }
}
