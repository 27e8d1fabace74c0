package dev.brisk.cpu.optim;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.OptimizerKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused optimizer updates on the Vector API; each rule is the one documented on {@link OptimizerKernels}.
 *
 * <p>Implementation overview. Every update is elementwise, so a call is one streaming pass: SIMD-width chunks
 * with FMAs, then a scalar tail that evaluates the same float expression. Calls of at least {@link #PARALLEL_MIN}
 * elements are cut into fixed blocks of {@link #GRAIN} elements run on the intra-op pool; the blocks do not
 * depend on the thread count, so reductions ({@link #sumOfSquares}, {@link #lambMoments}) sum the same partials in
 * the same order on any machine: results are deterministic. Reductions accumulate SIMD lanes in float over at most
 * {@link #BLOCK} elements and carry the total in double. Nothing is allocated per element; a parallel call
 * allocates only its task lambda and, for reductions, one double per block.
 *
 * <p>Cost: an AdamW step reads p, g, m, v and writes p, m, v: 28 bytes per parameter for ~15 flops, so every
 * kernel here is bound by memory bandwidth (see {@code OptimizerBench}).
 */
public final class VectorOptimizers implements OptimizerKernels {

    private static final VectorSpecies<Float> F = Simd.F;

    /** Elements from which a call is split across threads. */
    static final int PARALLEL_MIN = 1 << 15;
    /** Elements per parallel task. */
    static final int GRAIN = 1 << 14;
    /** Elements whose squares are summed in float lanes before the total moves to double. */
    static final int BLOCK = 1 << 10;

    private static FloatVector splat(float x) {
        return FloatVector.broadcast(F, x);
    }

    private interface Range {
        void run(int lo, int hi);
    }

    private interface Sum {
        double run(int lo, int hi);
    }

    private static void forRange(int n, Range body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
            return;
        }
        int tasks = (n + GRAIN - 1) / GRAIN;
        Parallel.forEach(tasks, t -> body.run(t * GRAIN, Math.min(n, (t + 1) * GRAIN)));
    }

    private static double sumRange(int n, Sum body) {
        if (n < PARALLEL_MIN) {
            return body.run(0, n);
        }
        int tasks = (n + GRAIN - 1) / GRAIN;
        double[] partial = new double[tasks];
        Parallel.forEach(tasks, t -> partial[t] = body.run(t * GRAIN, Math.min(n, (t + 1) * GRAIN)));
        double s = 0;
        for (double d : partial) {
            s += d;
        }
        return s;
    }

    // ---- SGD ----------------------------------------------------------------------------------------------------

    @Override
    public void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int n, float lr, float momentum,
                    float dampening, boolean nesterov, float weightDecay, boolean firstStep) {
        forRange(n, (lo, hi) -> sgdRange(p, pOff, g, gOff, buf, sOff, lo, hi, lr, momentum, dampening, nesterov,
                weightDecay, firstStep));
    }

    private static void sgdRange(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int lo, int hi,
                                 float lr, float mu, float dampening, boolean nesterov, float wd, boolean first) {
        boolean mom = mu != 0;
        float keep = 1 - dampening;
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var pv = FloatVector.fromArray(F, p, pOff + i);
            var gv = pv.fma(splat(wd), FloatVector.fromArray(F, g, gOff + i));     // g' = g + wd·p
            var d = gv;
            if (mom) {
                var b = first ? gv : FloatVector.fromArray(F, buf, sOff + i).fma(splat(mu), gv.mul(keep));
                b.intoArray(buf, sOff + i);
                d = nesterov ? b.fma(splat(mu), gv) : b;
            }
            d.fma(splat(-lr), pv).intoArray(p, pOff + i);                          // p − lr·d
        }
        for (; i < hi; i++) {
            float pi = p[pOff + i];
            float gi = Math.fma(wd, pi, g[gOff + i]);
            float d = gi;
            if (mom) {
                float b = first ? gi : Math.fma(mu, buf[sOff + i], gi * keep);
                buf[sOff + i] = b;
                d = nesterov ? Math.fma(mu, b, gi) : b;
            }
            p[pOff + i] = Math.fma(-lr, d, pi);
        }
    }

    // ---- Adam / AdamW -------------------------------------------------------------------------------------------

    @Override
    public void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n, float lr,
                     float beta1, float beta2, float eps, float weightDecay, boolean decoupled, float bc1, float bc2) {
        forRange(n, (lo, hi) -> adamRange(p, pOff, g, gOff, m, v, sOff, lo, hi, lr, beta1, beta2, eps, weightDecay,
                decoupled, bc1, bc2));
    }

    private static void adamRange(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int lo,
                                  int hi, float lr, float b1, float b2, float eps, float wd, boolean decoupled,
                                  float bc1, float bc2) {
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        float shrink = decoupled ? 1 - lr * wd : 1;
        float l2 = decoupled ? 0 : wd;
        float step = lr / bc1;                  // lr · m/bc1
        float rbc2 = 1 / bc2;
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var pv = FloatVector.fromArray(F, p, pOff + i);
            var gv = pv.fma(splat(l2), FloatVector.fromArray(F, g, gOff + i));
            var mv = FloatVector.fromArray(F, m, sOff + i).mul(b1).add(gv.mul(c1));
            var vv = FloatVector.fromArray(F, v, sOff + i).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoArray(m, sOff + i);
            vv.intoArray(v, sOff + i);
            var denom = vv.mul(rbc2).sqrt().add(eps);
            pv.mul(shrink).sub(mv.mul(step).div(denom)).intoArray(p, pOff + i);
        }
        for (; i < hi; i++) {
            float pi = p[pOff + i];
            float gi = Math.fma(l2, pi, g[gOff + i]);
            float mi = b1 * m[sOff + i] + c1 * gi;
            float vi = b2 * v[sOff + i] + c2 * (gi * gi);
            m[sOff + i] = mi;
            v[sOff + i] = vi;
            p[pOff + i] = pi * shrink - mi * step / ((float) Math.sqrt(vi * rbc2) + eps);
        }
    }

    // ---- RMSProp ------------------------------------------------------------------------------------------------

    @Override
    public void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] avg, float[] buf, int sOff,
                        int n, float lr, float alpha, float eps, float weightDecay, float momentum) {
        forRange(n, (lo, hi) -> rmspropRange(p, pOff, g, gOff, sq, avg, buf, sOff, lo, hi, lr, alpha, eps, weightDecay,
                momentum));
    }

    private static void rmspropRange(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] avg, float[] buf,
                                     int sOff, int lo, int hi, float lr, float alpha, float eps, float wd, float mu) {
        float c = 1 - alpha;
        boolean centered = avg != null;
        boolean mom = mu != 0;
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var pv = FloatVector.fromArray(F, p, pOff + i);
            var gv = pv.fma(splat(wd), FloatVector.fromArray(F, g, gOff + i));
            var s = FloatVector.fromArray(F, sq, sOff + i).mul(alpha).add(gv.mul(gv).mul(c));
            s.intoArray(sq, sOff + i);
            var var = s;
            if (centered) {
                var a = FloatVector.fromArray(F, avg, sOff + i).mul(alpha).add(gv.mul(c));
                a.intoArray(avg, sOff + i);
                var = s.sub(a.mul(a));
            }
            var u = gv.div(var.sqrt().add(eps));
            if (mom) {
                u = FloatVector.fromArray(F, buf, sOff + i).fma(splat(mu), u);
                u.intoArray(buf, sOff + i);
            }
            u.fma(splat(-lr), pv).intoArray(p, pOff + i);
        }
        for (; i < hi; i++) {
            float pi = p[pOff + i];
            float gi = Math.fma(wd, pi, g[gOff + i]);
            float s = alpha * sq[sOff + i] + c * (gi * gi);
            sq[sOff + i] = s;
            float var = s;
            if (centered) {
                float a = alpha * avg[sOff + i] + c * gi;
                avg[sOff + i] = a;
                var = s - a * a;
            }
            float u = gi / ((float) Math.sqrt(var) + eps);
            if (mom) {
                u = Math.fma(mu, buf[sOff + i], u);
                buf[sOff + i] = u;
            }
            p[pOff + i] = Math.fma(-lr, u, pi);
        }
    }

    // ---- Adagrad ------------------------------------------------------------------------------------------------

    @Override
    public void adagrad(float[] p, int pOff, float[] g, int gOff, float[] sum, int sOff, int n, float lr, float eps,
                        float weightDecay) {
        forRange(n, (lo, hi) -> adagradRange(p, pOff, g, gOff, sum, sOff, lo, hi, lr, eps, weightDecay));
    }

    private static void adagradRange(float[] p, int pOff, float[] g, int gOff, float[] sum, int sOff, int lo, int hi,
                                     float lr, float eps, float wd) {
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var pv = FloatVector.fromArray(F, p, pOff + i);
            var gv = pv.fma(splat(wd), FloatVector.fromArray(F, g, gOff + i));
            var s = gv.fma(gv, FloatVector.fromArray(F, sum, sOff + i));
            s.intoArray(sum, sOff + i);
            gv.div(s.sqrt().add(eps)).fma(splat(-lr), pv).intoArray(p, pOff + i);
        }
        for (; i < hi; i++) {
            float pi = p[pOff + i];
            float gi = Math.fma(wd, pi, g[gOff + i]);
            float s = Math.fma(gi, gi, sum[sOff + i]);
            sum[sOff + i] = s;
            p[pOff + i] = Math.fma(-lr, gi / ((float) Math.sqrt(s) + eps), pi);
        }
    }

    // ---- LAMB ---------------------------------------------------------------------------------------------------

    @Override
    public double lambMoments(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n,
                              float beta1, float beta2, float eps, float weightDecay, float bc1, float bc2) {
        return sumRange(n, (lo, hi) -> lambMomentsRange(p, pOff, g, gOff, m, v, sOff, lo, hi, beta1, beta2, eps,
                weightDecay, bc1, bc2));
    }

    private static double lambMomentsRange(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff,
                                           int lo, int hi, float b1, float b2, float eps, float wd, float bc1,
                                           float bc2) {
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        float rbc1 = 1 / bc1;
        float rbc2 = 1 / bc2;
        double total = 0;
        int i = lo;
        while (i < hi) {
            int blockEnd = Math.min(hi, i + BLOCK);
            var acc = FloatVector.zero(F);
            for (int end = i + F.loopBound(blockEnd - i); i < end; i += F.length()) {
                var gv = FloatVector.fromArray(F, g, gOff + i);
                var mv = FloatVector.fromArray(F, m, sOff + i).mul(b1).add(gv.mul(c1));
                var vv = FloatVector.fromArray(F, v, sOff + i).mul(b2).add(gv.mul(gv).mul(c2));
                mv.intoArray(m, sOff + i);
                vv.intoArray(v, sOff + i);
                var r = FloatVector.fromArray(F, p, pOff + i).fma(splat(wd), mv.mul(rbc1).div(vv.mul(rbc2).sqrt().add(eps)));
                acc = r.fma(r, acc);
            }
            double s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            for (; i < blockEnd; i++) {
                float gi = g[gOff + i];
                float mi = b1 * m[sOff + i] + c1 * gi;
                float vi = b2 * v[sOff + i] + c2 * (gi * gi);
                m[sOff + i] = mi;
                v[sOff + i] = vi;
                float r = Math.fma(wd, p[pOff + i], mi * rbc1 / ((float) Math.sqrt(vi * rbc2) + eps));
                s += (double) r * r;
            }
            total += s;
        }
        return total;
    }

    @Override
    public void lambApply(float[] p, int pOff, float[] m, float[] v, int sOff, int n, float a, float eps,
                          float weightDecay, float bc1, float bc2) {
        forRange(n, (lo, hi) -> lambApplyRange(p, pOff, m, v, sOff, lo, hi, a, eps, weightDecay, bc1, bc2));
    }

    private static void lambApplyRange(float[] p, int pOff, float[] m, float[] v, int sOff, int lo, int hi, float a,
                                       float eps, float wd, float bc1, float bc2) {
        float rbc1 = 1 / bc1;
        float rbc2 = 1 / bc2;
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var pv = FloatVector.fromArray(F, p, pOff + i);
            var mv = FloatVector.fromArray(F, m, sOff + i);
            var vv = FloatVector.fromArray(F, v, sOff + i);
            var r = pv.fma(splat(wd), mv.mul(rbc1).div(vv.mul(rbc2).sqrt().add(eps)));
            r.fma(splat(-a), pv).intoArray(p, pOff + i);
        }
        for (; i < hi; i++) {
            float pi = p[pOff + i];
            float r = Math.fma(wd, pi, m[sOff + i] * rbc1 / ((float) Math.sqrt(v[sOff + i] * rbc2) + eps));
            p[pOff + i] = Math.fma(-a, r, pi);
        }
    }

    // ---- LARS ---------------------------------------------------------------------------------------------------

    @Override
    public void lars(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int n, float lr, float trust,
                     float momentum, float weightDecay, boolean nesterov) {
        forRange(n, (lo, hi) -> larsRange(p, pOff, g, gOff, buf, sOff, lo, hi, lr, trust, momentum, weightDecay,
                nesterov));
    }

    private static void larsRange(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int lo, int hi,
                                  float lr, float trust, float mu, float wd, boolean nesterov) {
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var pv = FloatVector.fromArray(F, p, pOff + i);
            var gv = pv.fma(splat(wd), FloatVector.fromArray(F, g, gOff + i)).mul(trust);
            var b = FloatVector.fromArray(F, buf, sOff + i).fma(splat(mu), gv);
            b.intoArray(buf, sOff + i);
            var d = nesterov ? b.fma(splat(mu), gv) : b;
            d.fma(splat(-lr), pv).intoArray(p, pOff + i);
        }
        for (; i < hi; i++) {
            float pi = p[pOff + i];
            float gi = trust * Math.fma(wd, pi, g[gOff + i]);
            float b = Math.fma(mu, buf[sOff + i], gi);
            buf[sOff + i] = b;
            float d = nesterov ? Math.fma(mu, b, gi) : b;
            p[pOff + i] = Math.fma(-lr, d, pi);
        }
    }

    // ---- norms, scaling, clipping, EMA --------------------------------------------------------------------------

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        return sumRange(n, (lo, hi) -> sumOfSquaresRange(x, off, lo, hi));
    }

    private static double sumOfSquaresRange(float[] x, int off, int lo, int hi) {
        double total = 0;
        int i = lo;
        while (i < hi) {
            int blockEnd = Math.min(hi, i + BLOCK);
            var acc = FloatVector.zero(F);
            for (int end = i + F.loopBound(blockEnd - i); i < end; i += F.length()) {
                var xv = FloatVector.fromArray(F, x, off + i);
                acc = xv.fma(xv, acc);
            }
            double s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            for (; i < blockEnd; i++) {
                s += (double) x[off + i] * x[off + i];
            }
            total += s;
        }
        return total;
    }

    @Override
    public boolean scale(float[] x, int off, int n, float a) {
        // y − y is 0 for finite y and NaN for ±inf/NaN: summing it flags any non-finite input or result.
        return Double.isNaN(sumRange(n, (lo, hi) -> scaleRange(x, off, lo, hi, a)));
    }

    private static double scaleRange(float[] x, int off, int lo, int hi, float a) {
        var flag = FloatVector.zero(F);
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var xv = FloatVector.fromArray(F, x, off + i);
            var y = xv.mul(a);
            y.intoArray(x, off + i);
            flag = flag.add(xv.sub(xv)).add(y.sub(y));
        }
        float f = flag.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < hi; i++) {
            float xi = x[off + i];
            float y = xi * a;
            x[off + i] = y;
            f += (xi - xi) + (y - y);
        }
        return f;
    }

    @Override
    public void clamp(float[] x, int off, int n, float lo, float hi) {
        forRange(n, (a, b) -> clampRange(x, off, a, b, lo, hi));
    }

    private static void clampRange(float[] x, int off, int a, int b, float lo, float hi) {
        int i = a;
        for (int end = a + F.loopBound(b - a); i < end; i += F.length()) {
            FloatVector.fromArray(F, x, off + i).max(lo).min(hi).intoArray(x, off + i);
        }
        for (; i < b; i++) {
            x[off + i] = Math.min(Math.max(x[off + i], lo), hi);
        }
    }

    @Override
    public void ema(float[] s, int sOff, float[] p, int pOff, int n, float decay) {
        forRange(n, (lo, hi) -> emaRange(s, sOff, p, pOff, lo, hi, 1 - decay));
    }

    private static void emaRange(float[] s, int sOff, float[] p, int pOff, int lo, int hi, float w) {
        int i = lo;
        for (int end = lo + F.loopBound(hi - lo); i < end; i += F.length()) {
            var sv = FloatVector.fromArray(F, s, sOff + i);
            FloatVector.fromArray(F, p, pOff + i).sub(sv).fma(splat(w), sv).intoArray(s, sOff + i);
        }
        for (; i < hi; i++) {
            float si = s[sOff + i];
            s[sOff + i] = Math.fma(w, p[pOff + i] - si, si);
        }
    }
}
