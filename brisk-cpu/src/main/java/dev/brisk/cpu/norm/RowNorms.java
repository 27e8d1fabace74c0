package dev.brisk.cpu.norm;

import static jdk.incubator.vector.VectorOperators.ADD;

import dev.brisk.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer norm and RMS norm of one contiguous row at a time, in vector passes over a row that stays in L1:
 *
 * <pre>
 *   layer norm fwd:  μ = Σx/n;  σ² = Σ(x − μ)²/n (two passes: exact for any offset);  y = (x − μ)·rs·γ + β
 *   layer norm bwd:  Σĝ, Σĝ·x̂ (+ dγ += g·x̂, dβ += g in the same pass);  dx = ĝ·rs + x̂·c₂ + c₁
 *   rms norm fwd:    Σx²;  y = x·rs·γ
 *   rms norm bwd:    Σĝ·x̂ (+ dγ += g·x̂);  dx = ĝ·rs + x̂·c₂
 * </pre>
 *
 * with x̂ the normalised x, ĝ = g·γ, rs = rstd, c₁ = −rs·Σĝ/n, c₂ = −rs·Σĝ·x̂/n. Row sums are taken in float
 * over blocks of {@link #BLOCK} elements (two vector accumulators) and the block sums added in double. Each
 * main loop is unmasked; the tail is one masked vector. x̂ is always (x − μ)·rs, never x·rs − μ·rs: the latter
 * cancels catastrophically when |μ| ≫ σ (a constant row would not normalise to exactly 0).
 */
final class RowNorms {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    /** Elements per float-accumulated block of a row sum. */
    static final int BLOCK = 4096;

    private RowNorms() {
    }

    /**
     * The first {@code count} lanes (all when count ≥ L). {@code VectorMask.fromLong} is an intrinsic; on JDK 25
     * here {@code F.indexInRange} cost ~100 ns per call, which made every tail cost more than its row.
     */
    static VectorMask<Float> tail(int count) {
        return VectorMask.fromLong(F, count >= L ? -1L : (1L << count) - 1);
    }

    // ---- row sums -----------------------------------------------------------------------------------------------

    /** Σ (x − shift)^p over x[off .. off + n), p = 1 or 2, block sums in double. */
    static double sum(float[] x, int off, int n, float shift, boolean square) {
        double acc = 0;
        for (int s = 0; s < n; s += BLOCK) {
            acc += sumBlock(x, off + s, Math.min(BLOCK, n - s), shift, square);
        }
        return acc;
    }

    private static float sumBlock(float[] x, int off, int n, float shift, boolean square) {
        FloatVector sh = FloatVector.broadcast(F, shift);
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        int i = 0;
        for (int end = n - 2 * L; i <= end; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(F, x, off + i).sub(sh);
            FloatVector d1 = FloatVector.fromArray(F, x, off + i + L).sub(sh);
            s0 = square ? d0.fma(d0, s0) : s0.add(d0);
            s1 = square ? d1.fma(d1, s1) : s1.add(d1);
        }
        for (; i < n; i += L) {
            VectorMask<Float> m = tail(n - i);
            FloatVector d = FloatVector.fromArray(F, x, off + i, m).sub(sh, m);
            s0 = square ? s0.add(d.mul(d), m) : s0.add(d, m);
        }
        return s0.add(s1).reduceLanes(ADD);
    }

    // ---- layer norm ---------------------------------------------------------------------------------------------

    /** One row of layer norm; saves μ and rstd at {@code mean[r]}, {@code rstd[r]}. */
    static void layerNorm(float[] x, int xi, int n, float[] gamma, float[] beta, float eps, float[] y, int yi,
                          float[] mean, float[] rstd, int r) {
        float mu = (float) (sum(x, xi, n, 0f, false) / n);
        float rs = (float) (1.0 / Math.sqrt(sum(x, xi, n, mu, true) / n + eps));
        mean[r] = mu;
        rstd[r] = rs;
        FloatVector a = FloatVector.broadcast(F, rs);
        FloatVector b = FloatVector.broadcast(F, mu);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xi + i).sub(b).mul(a);
            if (gamma != null) {
                v = v.mul(FloatVector.fromArray(F, gamma, i));
            }
            if (beta != null) {
                v = v.add(FloatVector.fromArray(F, beta, i));
            }
            v.intoArray(y, yi + i);
        }
        if (i < n) {
            VectorMask<Float> m = tail(n - i);
            FloatVector v = FloatVector.fromArray(F, x, xi + i, m).sub(b).mul(a);
            if (gamma != null) {
                v = v.mul(FloatVector.fromArray(F, gamma, i, m));
            }
            if (beta != null) {
                v = v.add(FloatVector.fromArray(F, beta, i, m));
            }
            v.intoArray(y, yi + i, m);
        }
    }

    /**
     * One row of layer-norm backward: dx (when non-null) overwritten; {@code dg[dgOff + j] += g·x̂},
     * {@code db[dbOff + j] += g} (when non-null).
     */
    static void layerNormBackward(float[] g, int gi, float[] x, int xi, int n, float[] gamma, float mu, float rs,
                                  float[] dx, int dxi, float[] dg, int dgOff, float[] db, int dbOff) {
        FloatVector a = FloatVector.broadcast(F, rs);
        FloatVector b = FloatVector.broadcast(F, mu);
        FloatVector sg = FloatVector.zero(F);
        FloatVector sgx = sg;
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + i);
            FloatVector xh = FloatVector.fromArray(F, x, xi + i).sub(b).mul(a);
            FloatVector gh = gamma == null ? gv : gv.mul(FloatVector.fromArray(F, gamma, i));
            sg = sg.add(gh);
            sgx = gh.fma(xh, sgx);
            if (dg != null) {
                gv.fma(xh, FloatVector.fromArray(F, dg, dgOff + i)).intoArray(dg, dgOff + i);
            }
            if (db != null) {
                gv.add(FloatVector.fromArray(F, db, dbOff + i)).intoArray(db, dbOff + i);
            }
        }
        if (i < n) {
            VectorMask<Float> m = tail(n - i);
            FloatVector gv = FloatVector.fromArray(F, g, gi + i, m);
            FloatVector xh = FloatVector.fromArray(F, x, xi + i, m).sub(b).mul(a);
            FloatVector gh = gamma == null ? gv : gv.mul(FloatVector.fromArray(F, gamma, i, m));
            sg = sg.add(gh, m);
            sgx = sgx.add(gh.mul(xh), m);
            if (dg != null) {
                gv.fma(xh, FloatVector.fromArray(F, dg, dgOff + i, m)).intoArray(dg, dgOff + i, m);
            }
            if (db != null) {
                gv.add(FloatVector.fromArray(F, db, dbOff + i, m)).intoArray(db, dbOff + i, m);
            }
        }
        if (dx != null) {
            float c1 = -rs * sg.reduceLanes(ADD) / n;
            float c2 = -rs * sgx.reduceLanes(ADD) / n;
            dxRow(g, gi, x, xi, n, gamma, a, b, c1, c2, dx, dxi);
        }
    }

    /** dx = ĝ·rs + x̂·c₂ + c₁ with x̂ = (x − b)·a; rms norm passes b = 0 and c₁ = 0. */
    private static void dxRow(float[] g, int gi, float[] x, int xi, int n, float[] gamma, FloatVector a,
                              FloatVector b, float c1, float c2, float[] dx, int dxi) {
        FloatVector k1 = FloatVector.broadcast(F, c1);
        FloatVector k2 = FloatVector.broadcast(F, c2);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + i);
            FloatVector gh = gamma == null ? gv : gv.mul(FloatVector.fromArray(F, gamma, i));
            FloatVector xh = FloatVector.fromArray(F, x, xi + i).sub(b).mul(a);
            gh.fma(a, xh.fma(k2, k1)).intoArray(dx, dxi + i);
        }
        if (i < n) {
            VectorMask<Float> m = tail(n - i);
            FloatVector gv = FloatVector.fromArray(F, g, gi + i, m);
            FloatVector gh = gamma == null ? gv : gv.mul(FloatVector.fromArray(F, gamma, i, m));
            FloatVector xh = FloatVector.fromArray(F, x, xi + i, m).sub(b).mul(a);
            gh.fma(a, xh.fma(k2, k1)).intoArray(dx, dxi + i, m);
        }
    }

    // ---- RMS norm -----------------------------------------------------------------------------------------------

    /** One row of RMS norm; saves rstd at {@code rstd[r]}. */
    static void rmsNorm(float[] x, int xi, int n, float[] gamma, float eps, float[] y, int yi, float[] rstd, int r) {
        float rs = (float) (1.0 / Math.sqrt(sum(x, xi, n, 0f, true) / n + eps));
        rstd[r] = rs;
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xi + i).mul(rs);
            if (gamma != null) {
                v = v.mul(FloatVector.fromArray(F, gamma, i));
            }
            v.intoArray(y, yi + i);
        }
        if (i < n) {
            VectorMask<Float> m = tail(n - i);
            FloatVector v = FloatVector.fromArray(F, x, xi + i, m).mul(rs);
            if (gamma != null) {
                v = v.mul(FloatVector.fromArray(F, gamma, i, m));
            }
            v.intoArray(y, yi + i, m);
        }
    }

    /** One row of RMS-norm backward: dx (when non-null) overwritten; {@code dg[dgOff + j] += g·x̂} when non-null. */
    static void rmsNormBackward(float[] g, int gi, float[] x, int xi, int n, float[] gamma, float rs, float[] dx,
                                int dxi, float[] dg, int dgOff) {
        FloatVector a = FloatVector.broadcast(F, rs);
        FloatVector sgx = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + i);
            FloatVector xh = FloatVector.fromArray(F, x, xi + i).mul(a);
            FloatVector gh = gamma == null ? gv : gv.mul(FloatVector.fromArray(F, gamma, i));
            sgx = gh.fma(xh, sgx);
            if (dg != null) {
                gv.fma(xh, FloatVector.fromArray(F, dg, dgOff + i)).intoArray(dg, dgOff + i);
            }
        }
        if (i < n) {
            VectorMask<Float> m = tail(n - i);
            FloatVector gv = FloatVector.fromArray(F, g, gi + i, m);
            FloatVector xh = FloatVector.fromArray(F, x, xi + i, m).mul(a);
            FloatVector gh = gamma == null ? gv : gv.mul(FloatVector.fromArray(F, gamma, i, m));
            sgx = sgx.add(gh.mul(xh), m);
            if (dg != null) {
                gv.fma(xh, FloatVector.fromArray(F, dg, dgOff + i, m)).intoArray(dg, dgOff + i, m);
            }
        }
        if (dx != null) {
            float c2 = -rs * sgx.reduceLanes(ADD) / n;
            dxRow(g, gi, x, xi, n, gamma, a, FloatVector.zero(F), 0f, c2, dx, dxi);
        }
    }
}
