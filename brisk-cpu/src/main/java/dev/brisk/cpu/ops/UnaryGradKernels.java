package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.EXP;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused unary backward, out[i] = g[i]·op'(x[i]), one small loop per {@link UnaryOp} (as {@link UnaryKernels}:
 * full vectors, then one masked vector for the tail with the same formula). The derivative is computed in float
 * and multiplied by g; the reference ({@code ReferenceElementwise.derivative}) rounds the double derivative to
 * float first, so the exact ops (NEG, ABS, LOG, SQUARE, RELU) match bit for bit and the others within the
 * per-op bounds documented on the formulas in {@link VectorMath} (checked by {@code VectorElementwiseTest}).
 */
final class UnaryGradKernels {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);
    private static final FloatVector HALF = FloatVector.broadcast(F, 0.5f);

    private UnaryGradKernels() {
    }

    /** out[oo + i] = g[go + i]·op'(x[xo + i]) for i in [0, n). */
    static void run(UnaryOp op, float[] x, int xo, float[] g, int go, float[] out, int oo, int n) {
        switch (op) {
            case NEG -> neg(x, xo, g, go, out, oo, n);
            case ABS -> abs(x, xo, g, go, out, oo, n);
            case EXP -> exp(x, xo, g, go, out, oo, n);
            case LOG -> log(x, xo, g, go, out, oo, n);
            case SQRT -> sqrt(x, xo, g, go, out, oo, n);
            case RSQRT -> rsqrt(x, xo, g, go, out, oo, n);
            case RECIPROCAL -> reciprocal(x, xo, g, go, out, oo, n);
            case SQUARE -> square(x, xo, g, go, out, oo, n);
            case TANH -> tanh(x, xo, g, go, out, oo, n);
            case SIGMOID -> sigmoid(x, xo, g, go, out, oo, n);
            case RELU -> relu(x, xo, g, go, out, oo, n);
            case GELU_ERF -> geluErf(x, xo, g, go, out, oo, n);
            case GELU_TANH -> geluTanh(x, xo, g, go, out, oo, n);
            case SILU -> silu(x, xo, g, go, out, oo, n);
        }
    }

    /** -g, exact. */
    static void neg(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.neg().intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.neg().intoArray(out, oo + i, m);
        }
    }

    /** g·sign(x) (0 at 0 and NaN), exact. */
    static void abs(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dAbs(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dAbs(x)).intoArray(out, oo + i, m);
        }
    }

    /** g·e^x (SVML, ≤ 1 ulp). */
    static void exp(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(x.lanewise(EXP)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(x.lanewise(EXP)).intoArray(out, oo + i, m);
        }
    }

    /** g·(1/x), exact. */
    static void log(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(ONE.div(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(ONE.div(x)).intoArray(out, oo + i, m);
        }
    }

    /** g·(0.5/√x), ≤ 1 ulp. */
    static void sqrt(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(HALF.div(x.sqrt())).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(HALF.div(x.sqrt())).intoArray(out, oo + i, m);
        }
    }

    /** g·(-0.5/(x√x)) as (-0.5/x)·(1/√x), ≤ 3 ulp. */
    static void rsqrt(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dRsqrt(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dRsqrt(x)).intoArray(out, oo + i, m);
        }
    }

    /** g·(-1/x²) as -(1/x)², ≤ 2 ulp. */
    static void reciprocal(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dReciprocal(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dReciprocal(x)).intoArray(out, oo + i, m);
        }
    }

    /** g·2x, exact. */
    static void square(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(x.add(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(x.add(x)).intoArray(out, oo + i, m);
        }
    }

    /** see {@link VectorMath#dTanh}. */
    static void tanh(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dTanh(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dTanh(x)).intoArray(out, oo + i, m);
        }
    }

    /** see {@link VectorMath#dSigmoid}. */
    static void sigmoid(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dSigmoid(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dSigmoid(x)).intoArray(out, oo + i, m);
        }
    }

    /** g·(x &gt; 0 ? 1 : 0), exact (NaN x gives 0·g). */
    static void relu(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dRelu(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dRelu(x)).intoArray(out, oo + i, m);
        }
    }

    /** see {@link VectorMath#dGeluErf}. */
    static void geluErf(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dGeluErf(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dGeluErf(x)).intoArray(out, oo + i, m);
        }
    }

    /** see {@link VectorMath#dGeluTanh}. */
    static void geluTanh(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dGeluTanh(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dGeluTanh(x)).intoArray(out, oo + i, m);
        }
    }

    /** see {@link VectorMath#dSilu}. */
    static void silu(float[] xs, int xo, float[] gs, int go, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, xs, xo + i);
            FloatVector g = FloatVector.fromArray(F, gs, go + i);
            g.mul(VectorMath.dSilu(x)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector x = FloatVector.fromArray(F, xs, xo + i, m);
            FloatVector g = FloatVector.fromArray(F, gs, go + i, m);
            g.mul(VectorMath.dSilu(x)).intoArray(out, oo + i, m);
        }
    }
}
