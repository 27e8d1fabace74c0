package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.TANH;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One small loop per {@link UnaryOp}: full vectors, then one masked vector for the tail, so the tail gets the
 * same formula (and the same rounding) as the body. Each op has its own method so that C2 compiles and
 * profiles each loop separately (no per-element dispatch, no profile pollution between ops).
 *
 * <p>Memory traffic is 8 bytes per float (read x, write y): the cheap ops run at the copy ceiling, the
 * transcendental ones are bound by SVML's throughput. Accuracy against {@code ReferenceElementwise.apply} is
 * stated per method.
 */
final class UnaryKernels {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    private UnaryKernels() {
    }

    /** y[yo + i] = op(x[xo + i]) for i in [0, n). */
    static void run(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        switch (op) {
            case NEG -> neg(x, xo, y, yo, n);
            case ABS -> abs(x, xo, y, yo, n);
            case EXP -> exp(x, xo, y, yo, n);
            case LOG -> log(x, xo, y, yo, n);
            case SQRT -> sqrt(x, xo, y, yo, n);
            case RSQRT -> rsqrt(x, xo, y, yo, n);
            case RECIPROCAL -> reciprocal(x, xo, y, yo, n);
            case SQUARE -> square(x, xo, y, yo, n);
            case TANH -> tanh(x, xo, y, yo, n);
            case SIGMOID -> sigmoid(x, xo, y, yo, n);
            case RELU -> relu(x, xo, y, yo, n);
            case GELU_ERF -> geluErf(x, xo, y, yo, n);
            case GELU_TANH -> geluTanh(x, xo, y, yo, n);
            case SILU -> silu(x, xo, y, yo, n);
        }
    }

    /** -x, exact. */
    static void neg(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.neg().intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.neg().intoArray(y, yo + i, m);
        }
    }

    /** |x|, exact. */
    static void abs(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.abs().intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.abs().intoArray(y, yo + i, m);
        }
    }

    /** e^x (SVML, ≤ 1 ulp; EXP(-∞) = 0, overflow to +∞). */
    static void exp(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.lanewise(EXP).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.lanewise(EXP).intoArray(y, yo + i, m);
        }
    }

    /** ln x (SVML, ≤ 1 ulp; LOG(0) = -∞, LOG(x &lt; 0) = NaN). */
    static void log(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.lanewise(LOG).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.lanewise(LOG).intoArray(y, yo + i, m);
        }
    }

    /** √x, correctly rounded (exact match). */
    static void sqrt(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.sqrt().intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.sqrt().intoArray(y, yo + i, m);
        }
    }

    /** 1/√x as two correctly rounded steps, ≤ 1 ulp. */
    static void rsqrt(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            ONE.div(x.sqrt()).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            ONE.div(x.sqrt()).intoArray(y, yo + i, m);
        }
    }

    /** 1/x, correctly rounded (exact match). */
    static void reciprocal(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            ONE.div(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            ONE.div(x).intoArray(y, yo + i, m);
        }
    }

    /** x², correctly rounded (exact match). */
    static void square(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.mul(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.mul(x).intoArray(y, yo + i, m);
        }
    }

    /** tanh x (SVML, ≤ 1 ulp). */
    static void tanh(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            x.lanewise(TANH).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            x.lanewise(TANH).intoArray(y, yo + i, m);
        }
    }

    /** see {@link VectorMath#sigmoid}. */
    static void sigmoid(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            VectorMath.sigmoid(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            VectorMath.sigmoid(x).intoArray(y, yo + i, m);
        }
    }

    /** exact, NaN kept. */
    static void relu(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            VectorMath.relu(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            VectorMath.relu(x).intoArray(y, yo + i, m);
        }
    }

    /** see {@link VectorMath#geluErf}. */
    static void geluErf(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            VectorMath.geluErf(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            VectorMath.geluErf(x).intoArray(y, yo + i, m);
        }
    }

    /** see {@link VectorMath#geluTanh}. */
    static void geluTanh(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            VectorMath.geluTanh(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            VectorMath.geluTanh(x).intoArray(y, yo + i, m);
        }
    }

    /** see {@link VectorMath#silu}. */
    static void silu(float[] xs, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            VectorMath.silu(x).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            VectorMath.silu(x).intoArray(y, yo + i, m);
        }
    }
}
