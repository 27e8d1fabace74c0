package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_INFINITE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.POW;

import dev.brisk.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector formulas for the composite unary functions, each small enough for C2 to inline into its loop.
 *
 * <p>EXP, LOG and TANH come from {@code FloatVector.lanewise}, which C2 compiles to Intel SVML stubs on x86:
 * measured ≤ 0.75 ulp against {@code Math.exp/log/tanh} over their float range (including subnormal results,
 * overflow to ∞, ±∞ and NaN inputs) at 0.17, 0.17 and 0.54 ns per float on one core. They beat any polynomial
 * we would write, so the composites below are built from EXP rather than TANH.
 */
final class VectorMath {

    private static final VectorSpecies<Float> F = Simd.F;

    /** √(2/π) */
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float NEG_INV_SQRT2 = (float) (-1 / Math.sqrt(2));

    private VectorMath() {
    }

    /**
     * 1/(1+e^-x), evaluated as e/(1+e) for x &lt; 0 and 1/(1+e) for x ≥ 0 with e = e^-|x| ≤ 1, so nothing
     * overflows: SIGMOID(-∞) = 0, SIGMOID(+∞) = 1, and for very negative x the result keeps full relative accuracy
     * (e^x) down to the subnormal range. Error ≤ 2 ulp.
     */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = x.abs().neg().lanewise(EXP);
        return FloatVector.broadcast(F, 1f).blend(e, x.compare(LT, 0f)).div(e.add(1f));
    }

    /**
     * x·sigmoid(x), with the overflow-free sigmoid above. SILU(-∞) = NaN, as in the reference (-∞·0).
     * Measured ≤ 2.5e-7 relative where the result is normal.
     */
    static FloatVector silu(FloatVector x) {
        return x.mul(sigmoid(x));
    }

    /**
     * x/2·(1+tanh u) with u = √(2/π)·(x+0.044715x³), evaluated as x·sigmoid(2u) (the same function, since
     * (1+tanh u)/2 = sigmoid(2u)) to avoid the cancellation in 1+tanh u for negative x and to use the faster
     * EXP. Measured against the double reference: absolute error ≤ 4.8e-7 everywhere (0.5 ulp at |x| ≈ 8),
     * relative error ≤ 1.1e-6 for x ≥ -3 and ≤ 3e-6 for x ≥ -5 (the float rounding of u is amplified by the
     * exponential); further out the result is below 1e-6 in magnitude and the double reference itself loses
     * relative accuracy to the cancellation in 1 + tanh u.
     */
    static FloatVector geluTanh(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector twoU = x.mul(x2.fma(0.044715f, 1f)).mul(2 * SQRT_2_OVER_PI);
        return x.mul(sigmoid(twoU));
    }

    /**
     * x·Φ(x) = x/2·erfc(-x/√2). erfc(a) for a ≥ 0 is the Chebyshev fit of Numerical Recipes ("erfcc",
     * fractional error &lt; 1.2e-7 everywhere), and erfc(-a) = 2 - erfc(a); writing Φ through erfc keeps the
     * relative accuracy for negative x, where x/2·(1+erf) would cancel. Measured against the double-precision
     * reference: absolute error ≤ 4.8e-7 everywhere (0.5 ulp at |x| ≈ 8), relative error ≤ 1.4e-6 for x ≥ -3
     * and ≤ 2.3e-6 for x ≥ -5, growing like x²·1e-7 in the far negative tail, where the result is tiny. GELU_ERF(+∞) = +∞, GELU_ERF(-∞) = NaN, as in the reference.
     */
    static FloatVector geluErf(FloatVector x) {
        FloatVector z = x.mul(NEG_INV_SQRT2);
        FloatVector a = z.abs();
        FloatVector t = FloatVector.broadcast(F, 1f).div(a.fma(0.5f, 1f));
        FloatVector p = t.fma(0.17087277f, -0.82215223f);
        p = p.fma(t, c(1.48851587f));
        p = p.fma(t, c(-1.13520398f));
        p = p.fma(t, c(0.27886807f));
        p = p.fma(t, c(-0.18628806f));
        p = p.fma(t, c(0.09678418f));
        p = p.fma(t, c(0.37409196f));
        p = p.fma(t, c(1.00002368f));
        p = p.fma(t, c(-1.26551223f));
        FloatVector y = t.mul(a.mul(a).neg().add(p).lanewise(EXP));   // erfc(|z|)
        FloatVector erfc = y.blend(FloatVector.broadcast(F, 2f).sub(y), z.compare(LT, 0f));
        return x.mul(0.5f).mul(erfc);
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(F, v);
    }

    /** max(x, 0) with RELU(NaN) = NaN and RELU(-0) = +0, exactly as the reference. */
    static FloatVector relu(FloatVector x) {
        return x.blend(0f, x.compare(LE, 0f));
    }

    /**
     * a^b with {@code Math.pow} semantics: SVML's powf follows C, which differs from Java in pow(1, NaN) = 1 and
     * pow(-1, ±∞) = 1 (Java: NaN); those lanes are patched to NaN.
     * Measured ≤ 0.5 ulp from the rounded {@code Math.pow} on [0, 10)^[-10, 10).
     */
    static FloatVector pow(FloatVector a, FloatVector b) {
        FloatVector r = a.lanewise(POW, b);
        VectorMask<Float> javaNaN = b.test(IS_NAN).or(b.test(IS_INFINITE).and(a.abs().compare(EQ, 1f)));
        return r.blend(Float.NaN, javaNaN);
    }

    // ---- derivatives, for UnaryGradKernels (accuracy against ReferenceElementwise.derivative) ----

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    private static final float GELU_C3 = 3 * 0.044715f;

    /** sign(x): 1 for x &gt; 0, -1 for x &lt; 0, 0 for ±0 and NaN, exact. */
    static FloatVector dAbs(FloatVector x) {
        return FloatVector.zero(F).blend(1f, x.compare(GT, 0f)).blend(-1f, x.compare(LT, 0f));
    }

    /** 1 for x &gt; 0, else 0 (NaN too), exact. */
    static FloatVector dRelu(FloatVector x) {
        return FloatVector.zero(F).blend(1f, x.compare(GT, 0f));
    }

    /** -0.5/(x√x) as (-0.5/x)·(1/√x): ≤ 3 ulp where the result is normal. */
    static FloatVector dRsqrt(FloatVector x) {
        FloatVector r = FloatVector.broadcast(F, 1f).div(x.sqrt());
        return FloatVector.broadcast(F, -0.5f).div(x).mul(r);
    }

    /** -1/x² as -(1/x)²: ≤ 2 ulp where the result is normal. */
    static FloatVector dReciprocal(FloatVector x) {
        FloatVector r = FloatVector.broadcast(F, 1f).div(x);
        return r.mul(r).neg();
    }

    /**
     * 1 - tanh²x, evaluated as 4e/(1+e)² with e = e^(-2|x|) ≤ 1: no cancellation for large |x| (where 1 - t²
     * would lose every digit), nothing overflows. ≤ 4 ulp where the result is normal.
     */
    static FloatVector dTanh(FloatVector x) {
        FloatVector e = x.abs().mul(-2f).lanewise(EXP);
        FloatVector d = e.add(1f);
        return e.mul(4f).div(d.mul(d));
    }

    /** σ(x)(1-σ(x)) = e/(1+e)² with e = e^(-|x|) (symmetric, no cancellation). ≤ 4 ulp where normal. */
    static FloatVector dSigmoid(FloatVector x) {
        FloatVector e = x.abs().neg().lanewise(EXP);
        FloatVector d = e.add(1f);
        return e.div(d.mul(d));
    }

    /**
     * σ(x)·(1 + x·σ(-x)), both σ from e = e^(-|x|) so that σ(-x) = 1 - σ(x) never cancels. ±∞ give NaN, as the
     * reference. Measured ≤ 1e-6 relative + 1e-7 absolute (the derivative crosses 0 near x ≈ -1.28).
     */
    static FloatVector dSilu(FloatVector x) {
        FloatVector e = x.abs().neg().lanewise(EXP);
        FloatVector inv = FloatVector.broadcast(F, 1f).div(e.add(1f));
        VectorMask<Float> neg = x.compare(LT, 0f);
        FloatVector s = inv.blend(e.mul(inv), neg);         // σ(x)
        FloatVector sm = e.mul(inv).blend(inv, neg);        // σ(-x)
        return s.mul(x.mul(sm).add(1f));
    }

    /**
     * Φ(x) + x·φ(x), with Φ(x) = erfc(-x/√2)/2 from the same erfc fit as {@link #geluErf} and
     * φ(x) = e^(-x²/2)/√(2π). Measured ≤ 1e-6 relative + 1e-7 absolute (the derivative crosses 0 near
     * x ≈ -0.75, where only the absolute bound is meaningful). ±∞ give NaN, as the reference (∞·0).
     */
    static FloatVector dGeluErf(FloatVector x) {
        FloatVector z = x.mul(NEG_INV_SQRT2);
        FloatVector a = z.abs();
        FloatVector t = FloatVector.broadcast(F, 1f).div(a.fma(0.5f, 1f));
        FloatVector p = t.fma(0.17087277f, -0.82215223f);
        p = p.fma(t, c(1.48851587f));
        p = p.fma(t, c(-1.13520398f));
        p = p.fma(t, c(0.27886807f));
        p = p.fma(t, c(-0.18628806f));
        p = p.fma(t, c(0.09678418f));
        p = p.fma(t, c(0.37409196f));
        p = p.fma(t, c(1.00002368f));
        p = p.fma(t, c(-1.26551223f));
        FloatVector a2 = a.mul(a);
        FloatVector y = t.mul(a2.neg().add(p).lanewise(EXP));   // erfc(|z|)
        FloatVector erfc = y.blend(FloatVector.broadcast(F, 2f).sub(y), z.compare(LT, 0f));
        FloatVector pdf = a2.neg().lanewise(EXP).mul(INV_SQRT_2PI);   // e^(-x²/2)/√(2π), a² = x²/2
        return x.mul(pdf).add(erfc.mul(0.5f));
    }

    /**
     * d/dx of x·σ(2u), u = √(2/π)(x + 0.044715x³): σ(2u) + 2x·σ(2u)σ(-2u)·√(2/π)(1 + 0.134145x²), with
     * σ(2u)σ(-2u) = e/(1+e)², e = e^(-|2u|). x is clamped to ±20 for the second term (beyond, e underflows to 0
     * and the term is exactly 0, where x³ would otherwise overflow to ∞·0); ±∞ give NaN, as the reference.
     * Measured ≤ 1e-6 relative + 1e-7 absolute.
     */
    static FloatVector dGeluTanh(FloatVector x) {
        FloatVector xc = x.max(-20f).min(20f);
        FloatVector x2 = xc.mul(xc);
        FloatVector twoU = xc.mul(x2.fma(0.044715f, 1f)).mul(2 * SQRT_2_OVER_PI);
        FloatVector e = twoU.abs().neg().lanewise(EXP);
        FloatVector inv = FloatVector.broadcast(F, 1f).div(e.add(1f));
        FloatVector s = inv.blend(e.mul(inv), twoU.compare(LT, 0f));   // σ(2u)
        FloatVector ss = e.mul(inv).mul(inv);                         // σ(2u)σ(-2u)
        FloatVector poly = x2.fma(GELU_C3, 1f).mul(2 * SQRT_2_OVER_PI);
        FloatVector d = xc.mul(ss).mul(poly).add(s);
        return d.blend(Float.NaN, x.test(IS_INFINITE));
    }
}
