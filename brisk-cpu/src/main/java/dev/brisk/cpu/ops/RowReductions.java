package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;

import dev.brisk.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions of one contiguous run (the {@code inner == 1} case): four independent vector accumulators hide
 * the 3–4 cycle add/max latency, so a row streams at load bandwidth; the tail is one masked vector.
 *
 * <p>Sums are taken in float over {@link #SUM_BLOCK}-element blocks (64 lanes of partial sums: error
 * ≤ ~64 ulp of the block's Σ|x| in the worst case, far less in practice) and the block sums are added in double,
 * so long rows do not lose accuracy. MAX and MIN are exact and propagate NaN.
 */
final class RowReductions {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    /** Elements per float-accumulated block of a sum; a multiple of 4 vectors. */
    static final int SUM_BLOCK = 4096;

    private RowReductions() {
    }

    /** Σ x[off .. off+n), block sums accumulated in double. */
    static double sum(float[] x, int off, int n) {
        double acc = 0;
        for (int s = 0; s < n; s += SUM_BLOCK) {
            acc += sumBlock(x, off + s, Math.min(SUM_BLOCK, n - s));
        }
        return acc;
    }

    /** Σ x[off .. off+n) in float with 4 vector accumulators (n small enough that float is accurate). */
    static float sumBlock(float[] x, int off, int n) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int i = 0;
        for (int end = n - 4 * L; i <= end; i += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(F, x, off + i));
            s1 = s1.add(FloatVector.fromArray(F, x, off + i + L));
            s2 = s2.add(FloatVector.fromArray(F, x, off + i + 2 * L));
            s3 = s3.add(FloatVector.fromArray(F, x, off + i + 3 * L));
        }
        for (; i <= n - L; i += L) {
            s0 = s0.add(FloatVector.fromArray(F, x, off + i));
        }
        if (i < n) {
            s1 = s1.add(FloatVector.fromArray(F, x, off + i, F.indexInRange(i, n)));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(ADD);
    }

    /** max x[off .. off+n), n ≥ 1; NaN if any element is NaN. */
    static float max(float[] x, int off, int n) {
        FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        int i = 0;
        for (int end = n - 4 * L; i <= end; i += 4 * L) {
            m0 = m0.max(FloatVector.fromArray(F, x, off + i));
            m1 = m1.max(FloatVector.fromArray(F, x, off + i + L));
            m2 = m2.max(FloatVector.fromArray(F, x, off + i + 2 * L));
            m3 = m3.max(FloatVector.fromArray(F, x, off + i + 3 * L));
        }
        for (; i <= n - L; i += L) {
            m0 = m0.max(FloatVector.fromArray(F, x, off + i));
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            m1 = m1.lanewise(MAX, FloatVector.fromArray(F, x, off + i, m), m);
        }
        FloatVector all = m0.max(m1).max(m2.max(m3));
        return all.test(IS_NAN).anyTrue() ? Float.NaN : all.reduceLanes(MAX);
    }

    /** min x[off .. off+n), n ≥ 1; NaN if any element is NaN. */
    static float min(float[] x, int off, int n) {
        FloatVector m0 = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        int i = 0;
        for (int end = n - 4 * L; i <= end; i += 4 * L) {
            m0 = m0.min(FloatVector.fromArray(F, x, off + i));
            m1 = m1.min(FloatVector.fromArray(F, x, off + i + L));
            m2 = m2.min(FloatVector.fromArray(F, x, off + i + 2 * L));
            m3 = m3.min(FloatVector.fromArray(F, x, off + i + 3 * L));
        }
        for (; i <= n - L; i += L) {
            m0 = m0.min(FloatVector.fromArray(F, x, off + i));
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            m1 = m1.lanewise(MIN, FloatVector.fromArray(F, x, off + i, m), m);
        }
        FloatVector all = m0.min(m1).min(m2.min(m3));
        return all.test(IS_NAN).anyTrue() ? Float.NaN : all.reduceLanes(MIN);
    }

    /**
     * Index of the first element equal to {@code target} (IEEE equality, so -0 matches +0), or of the first
     * NaN when {@code target} is NaN; {@code n} if none.
     */
    static int indexOf(float target, float[] x, int off, int n) {
        boolean nan = Float.isNaN(target);
        FloatVector t = FloatVector.broadcast(F, target);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            VectorMask<Float> hit = nan ? v.test(IS_NAN) : v.compare(EQ, t);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (; i < n; i++) {
            float v = x[off + i];
            if (nan ? Float.isNaN(v) : v == target) {
                return i;
            }
        }
        return n;
    }
}
