package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fixed test problem: f(θ) = ½ Σ a_i (θ_i − c_i)² over a (5, 7) "weight" and a (9) "bias", so ∇f = a ⊙ (θ − c).
 * Sizes are not multiples of the SIMD width, so vector tails run.
 */
final class Problems {

    static final int[] W_SHAPE = {5, 7};
    static final int[] B_SHAPE = {9};

    private Problems() {
    }

    static double a(int i) {
        return 0.5 + (i % 5) * 0.4;
    }

    static double c(int i) {
        return Math.sin(i);
    }

    static double[] init(int n, double phase) {
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = 2 * Math.cos(0.7 * i + phase);
        }
        return p;
    }

    static double[] grad(double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            g[i] = a(i) * (p[i] - c(i));
        }
        return g;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Fresh parameters "weight" (5, 7) and "bias" (9), requiring grad. */
    static Map<String, Tensor> params() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", Tensor.of(toFloat(init(35, 0)), W_SHAPE).requiresGrad(true));
        m.put("bias", Tensor.of(toFloat(init(9, 1)), B_SHAPE).requiresGrad(true));
        return m;
    }

    /** Sets each parameter's gradient to ∇f at its current value. */
    static void setGrads(Map<String, Tensor> params) {
        for (Tensor p : params.values()) {
            p.setGrad(Tensor.of(toFloat(grad(toDouble(p.toFloatArray()))), p.shape()));
        }
    }

    static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + " != " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double d = Math.abs(actual[i] - e);
            if (!(d <= atol + rtol * Math.abs(e))) {
                throw new AssertionError(what + "[" + i + "]: expected " + e + ", got " + actual[i] + " (|diff| " + d
                        + ")");
            }
        }
    }
}
