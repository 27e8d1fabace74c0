package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.UnaryOp;

/** Scalar elementwise kernels; {@link #apply(UnaryOp, float)} is the definition every fast path must match. */
public final class ReferenceElementwise implements ElementwiseKernels {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    @Override
    public void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = apply(op, x[xOff + i]);
        }
    }

    @Override
    public void binary(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = apply(op, a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    @Override
    public void compare(CompareOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                        boolean[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = apply(op, a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    /** The definition of each unary op, evaluated in double and rounded once. */
    public static float apply(UnaryOp op, float xf) {
        double x = xf;
        return (float) switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case SQUARE -> x * x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            case GELU_ERF -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1 + Math.exp(-x));
        };
    }

    /** d op(x) / dx, in double and rounded once; the definition every fused backward kernel must match. */
    public static float derivative(UnaryOp op, float xf) {
        double x = xf;
        return (float) switch (op) {
            case NEG -> -1.0;
            case ABS -> x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
            case EXP -> Math.exp(x);
            case LOG -> 1 / x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case RSQRT -> -0.5 / (x * Math.sqrt(x));
            case RECIPROCAL -> -1 / (x * x);
            case SQUARE -> 2 * x;
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 - s);
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case GELU_ERF -> 0.5 * (1 + Erf.erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                double t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
            }
            case SILU -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 + x * (1 - s));
            }
        };
    }

    public static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
            case MAX -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
            case MIN -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
        };
    }

    public static boolean apply(CompareOp op, float a, float b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}
