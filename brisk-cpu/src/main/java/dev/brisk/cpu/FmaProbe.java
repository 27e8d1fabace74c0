package dev.brisk.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Measures one core's FP32 FMA throughput: 12 independent vector accumulators (enough to cover the FMA latency on
 * two pipes), each updated with {@code acc = acc·a + b} in a tight loop. A VM may report a nominal clock far below
 * the one the core runs at; this probe measures what the core actually delivers, so MFU is not inflated.
 */
final class FmaProbe {

    private FmaProbe() {
    }

    /** Best-of-several FLOP/s of one thread, after a warm-up that lets C2 compile the loop. */
    static double gflopsPerCore() {
        float[] seed = new float[Simd.F.length()];
        java.util.Arrays.fill(seed, 0.999f);
        double best = 0;
        long warmUntil = System.nanoTime() + 400_000_000L;
        while (System.nanoTime() < warmUntil) {
            run(seed, 20_000);
        }
        for (int i = 0; i < 5; i++) {
            int iters = 200_000;
            long t0 = System.nanoTime();
            float sink = run(seed, iters);
            long dt = System.nanoTime() - t0;
            double flops = 12.0 * iters * Simd.F.length() * 2;
            best = Math.max(best, flops / dt + (sink == 42f ? 1e-9 : 0));
        }
        return best;
    }

    private static float run(float[] seed, int iters) {
        FloatVector a = FloatVector.fromArray(Simd.F, seed, 0);
        FloatVector b = a.mul(1e-3f);
        FloatVector c0 = a;
        FloatVector c1 = a.add(1);
        FloatVector c2 = a.add(2);
        FloatVector c3 = a.add(3);
        FloatVector c4 = a.add(4);
        FloatVector c5 = a.add(5);
        FloatVector c6 = a.add(6);
        FloatVector c7 = a.add(7);
        FloatVector c8 = a.add(8);
        FloatVector c9 = a.add(9);
        FloatVector c10 = a.add(10);
        FloatVector c11 = a.add(11);
        for (int i = 0; i < iters; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
