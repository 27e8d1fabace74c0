package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.brisk.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions over the middle axis of one (r, inner) block when {@code inner > 1}: vectorised along the
 * contiguous inner axis, four column vectors (64 columns with AVX-512) at a time so that four independent
 * accumulator chains run per row step, then single vectors, then one masked vector.
 *
 * <pre>
 *   out[ob + c] = op_{j &lt; r} x[base + j·inner + c]   for c in [c0, c1)
 * </pre>
 *
 * Sums are Kahan-compensated float sums in row order; MAX and MIN are
 * exact and propagate NaN ({@code FloatVector.max} has {@code Math.max} semantics).
 */
final class ColumnReductions {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int L = F.length();

    private ColumnReductions() {
    }

    /**
     * Column sums of columns [c0, c1) of the (r, inner) block at {@code base}, Kahan-compensated (error ~2 ulp
     * of Σ|x| for any r; the three extra adds per element are free in a loop bound by loads).
     */
    static void sum(float[] x, int base, int r, int inner, float[] out, int ob, int c0, int c1) {
        int c = c0;
        for (; c <= c1 - 2 * L; c += 2 * L) {
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            FloatVector e0 = s0;
            FloatVector e1 = s0;
            for (int j = 0, p = base + c; j < r; j++, p += inner) {
                FloatVector y0 = FloatVector.fromArray(F, x, p).sub(e0);
                FloatVector y1 = FloatVector.fromArray(F, x, p + L).sub(e1);
                FloatVector t0 = s0.add(y0);
                FloatVector t1 = s1.add(y1);
                e0 = compensation(t0, s0, y0);
                e1 = compensation(t1, s1, y1);
                s0 = t0;
                s1 = t1;
            }
            s0.intoArray(out, ob + c);
            s1.intoArray(out, ob + c + L);
        }
        for (; c < c1; c += L) {
            VectorMask<Float> m = F.indexInRange(c, c1);
            FloatVector s = FloatVector.zero(F);
            FloatVector e = s;
            for (int j = 0, p = base + c; j < r; j++, p += inner) {
                FloatVector y = FloatVector.fromArray(F, x, p, m).sub(e);
                FloatVector t = s.add(y);
                e = compensation(t, s, y);
                s = t;
            }
            s.intoArray(out, ob + c, m);
        }
    }

    /**
     * Kahan's lost low part (t - s) - y; zero where that is NaN, which happens only once the sum is ±∞ or NaN
     * (it stays so through {@code s}, as the reference's sum would), so that ∞ - ∞ in the correction cannot
     * turn an infinite sum into NaN.
     */
    private static FloatVector compensation(FloatVector t, FloatVector s, FloatVector y) {
        FloatVector e = t.sub(s).sub(y);
        return e.blend(0f, e.test(IS_NAN));
    }

    /** column maxima of columns [c0, c1) of the (r, inner) block at {@code base}. */
    static void max(float[] x, int base, int r, int inner, float[] out, int ob, int c0, int c1) {
        int c = c0;
        for (; c <= c1 - 4 * L; c += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, x, base + c);
            FloatVector a1 = FloatVector.fromArray(F, x, base + c + L);
            FloatVector a2 = FloatVector.fromArray(F, x, base + c + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, x, base + c + 3 * L);
            for (int j = 1, p = base + 1 * inner + c; j < r; j++, p += inner) {
                a0 = a0.max(FloatVector.fromArray(F, x, p));
                a1 = a1.max(FloatVector.fromArray(F, x, p + L));
                a2 = a2.max(FloatVector.fromArray(F, x, p + 2 * L));
                a3 = a3.max(FloatVector.fromArray(F, x, p + 3 * L));
            }
            a0.intoArray(out, ob + c);
            a1.intoArray(out, ob + c + L);
            a2.intoArray(out, ob + c + 2 * L);
            a3.intoArray(out, ob + c + 3 * L);
        }
        for (; c < c1; c += L) {
            VectorMask<Float> m = F.indexInRange(c, c1);
            FloatVector a = FloatVector.fromArray(F, x, base + c, m);
            for (int j = 1, p = base + 1 * inner + c; j < r; j++, p += inner) {
                a = a.max(FloatVector.fromArray(F, x, p, m));
            }
            a.intoArray(out, ob + c, m);
        }
    }

    /** column minima of columns [c0, c1) of the (r, inner) block at {@code base}. */
    static void min(float[] x, int base, int r, int inner, float[] out, int ob, int c0, int c1) {
        int c = c0;
        for (; c <= c1 - 4 * L; c += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, x, base + c);
            FloatVector a1 = FloatVector.fromArray(F, x, base + c + L);
            FloatVector a2 = FloatVector.fromArray(F, x, base + c + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, x, base + c + 3 * L);
            for (int j = 1, p = base + 1 * inner + c; j < r; j++, p += inner) {
                a0 = a0.min(FloatVector.fromArray(F, x, p));
                a1 = a1.min(FloatVector.fromArray(F, x, p + L));
                a2 = a2.min(FloatVector.fromArray(F, x, p + 2 * L));
                a3 = a3.min(FloatVector.fromArray(F, x, p + 3 * L));
            }
            a0.intoArray(out, ob + c);
            a1.intoArray(out, ob + c + L);
            a2.intoArray(out, ob + c + 2 * L);
            a3.intoArray(out, ob + c + 3 * L);
        }
        for (; c < c1; c += L) {
            VectorMask<Float> m = F.indexInRange(c, c1);
            FloatVector a = FloatVector.fromArray(F, x, base + c, m);
            for (int j = 1, p = base + 1 * inner + c; j < r; j++, p += inner) {
                a = a.min(FloatVector.fromArray(F, x, p, m));
            }
            a.intoArray(out, ob + c, m);
        }
    }

    /**
     * First index along the middle axis of the maximum ({@code max}) or minimum of columns [c0, c1); a NaN
     * wins and stops the search for its column. Exact. Per lane: the best value so far and its row index,
     * replaced where the new row is strictly better, or NaN while the best is not NaN.
     */
    static void arg(boolean max, float[] x, int base, int r, int inner, long[] out, int ob, int c0, int c1) {
        for (int c = c0; c < c1; c += L) {
            VectorMask<Float> m = F.indexInRange(c, c1);
            FloatVector best = FloatVector.fromArray(F, x, base + c, m);
            VectorMask<Float> stopped = best.test(IS_NAN);
            IntVector idx = IntVector.zero(I);
            for (int j = 1, p = base + inner + c; j < r; j++, p += inner) {
                FloatVector v = FloatVector.fromArray(F, x, p, m);
                VectorMask<Float> nan = v.test(IS_NAN);
                VectorMask<Float> better = (max ? v.compare(GT, best) : v.compare(LT, best)).or(nan).andNot(stopped);
                best = best.blend(v, better);
                idx = idx.blend(j, better.cast(I));
                stopped = stopped.or(nan);
            }
            for (int k = 0, e = Math.min(L, c1 - c); k < e; k++) {
                out[ob + c + k] = idx.lane(k);
            }
        }
    }
}
