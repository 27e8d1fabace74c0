package dev.brisk.tensor.conformance;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.UnaryOp;
import org.junit.jupiter.api.Assertions;

/**
 * The per-op tolerances a fast backend is held to against the reference, and the comparisons that apply them.
 *
 * <p>Reasoning. The reference evaluates each op in double and rounds once, so it is within 1/2 ulp of the exact
 * value. Ops whose IEEE float result is itself correctly rounded (add, sub, mul, div, sqrt, max, min, neg, abs,
 * relu, x², 1/x) must match it <em>exactly</em>: any difference is a bug, not rounding. Transcendental ops are
 * usually polynomial approximations in float: allow a relative 2e-6 (≈ 17 ulp), plus an absolute 1e-6 only for
 * ops whose value can sit near 0 while the inputs are O(1) (tanh, sigmoid, the GELUs and SiLU: the error of
 * x·(1+erf) or x·σ(x) is absolute in their far tails), and 1e-7 for log near 1. Sums accumulate in float on
 * fast paths: allow 1e-5·Σ|x| (≈ 170 ulp of the magnitude sum: a lane-blocked or pairwise float sum is far
 * inside it; a single sequential float accumulator over 10^5 elements is not). GEMM likewise: 1e-5·Σ|a||b| +
 * 1e-6 per output (k·eps for k ≤ ~170 even in the worst case; blocked FMA accumulation is typically √k·eps).
 */
final class Tolerance {

    private Tolerance() {
    }

    /** rtol and atol of a unary op: exact where IEEE float is correctly rounded, else see the class comment. */
    static double[] unary(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, SQUARE, SQRT, RECIPROCAL -> new double[] {0, 0};
            case RSQRT -> new double[] {1e-6, 0}; // 1/sqrt in float is two roundings; allow a few ulp
            case EXP -> new double[] {2e-6, 0};
            case LOG -> new double[] {2e-6, 1e-7};
            case TANH, SIGMOID, GELU_ERF, GELU_TANH, SILU -> new double[] {2e-6, 1e-6};
        };
    }

    /** Fused unary backward g·op'(x): exact for the piecewise-linear ops, else a few roundings more than forward. */
    static double[] unaryGrad(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, SQUARE -> new double[] {0, 0};
            default -> new double[] {4e-6, 1e-6};
        };
    }

    static double[] binary(BinaryOp op) {
        return op == BinaryOp.POW ? new double[] {2e-6, 0} : new double[] {0, 0};
    }

    /** Elementwise check: NaN where the reference has NaN, equal infinities, else atol + rtol·|ref|. */
    static void assertClose(float[] ref, float[] got, double rtol, double atol, String what) {
        Assertions.assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i];
            float g = got[i];
            boolean ok;
            if (Float.isNaN(r) || Float.isNaN(g)) {
                ok = Float.isNaN(r) && Float.isNaN(g);
            } else if (Float.isInfinite(r) || Float.isInfinite(g)) {
                ok = r == g;
            } else if (rtol == 0 && atol == 0) {
                ok = Float.compare(r, g) == 0 || (r == 0 && g == 0); // exact, but -0 == +0
            } else {
                ok = Math.abs((double) g - r) <= atol + rtol * Math.abs(r);
            }
            if (!ok) {
                Assertions.fail(what + ": element " + i + " expected " + r + " (reference) but was " + g
                        + " (|diff| " + Math.abs((double) g - r) + ", allowed " + (atol + rtol * Math.abs(r)) + ")");
            }
        }
    }

    /** Per-element bound {@code scale[i]·rel + abs}: for sums (scale = Σ|x|) and GEMM (scale = Σ|a||b|). */
    static void assertWithin(float[] ref, float[] got, double[] scale, double rel, double abs, String what) {
        Assertions.assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i];
            float g = got[i];
            if (Float.isNaN(r) || Float.isNaN(g) || Float.isInfinite(r) || Float.isInfinite(g)) {
                if (!(Float.isNaN(r) && Float.isNaN(g)) && r != g) {
                    Assertions.fail(what + ": element " + i + " expected " + r + " but was " + g);
                }
                continue;
            }
            double tol = rel * scale[i] + abs;
            if (!(Math.abs((double) g - r) <= tol)) {
                Assertions.fail(what + ": element " + i + " expected " + r + " (reference) but was " + g
                        + " (|diff| " + Math.abs((double) g - r) + ", allowed " + tol + ")");
            }
        }
    }

    static void assertSame(boolean[] ref, boolean[] got, String what) {
        Assertions.assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] != got[i]) {
                Assertions.fail(what + ": element " + i + " expected " + ref[i] + " (reference) but was " + got[i]);
            }
        }
    }

    static void assertSame(long[] ref, long[] got, String what) {
        Assertions.assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] != got[i]) {
                Assertions.fail(what + ": element " + i + " expected " + ref[i] + " (reference) but was " + got[i]);
            }
        }
    }
}
