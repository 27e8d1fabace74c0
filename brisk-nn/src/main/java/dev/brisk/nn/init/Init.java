package dev.brisk.nn.init;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;

/**
 * In-place initialisers with PyTorch's {@code torch.nn.init} formulas, drawing from an explicit seeded {@link Rng}
 * so that a seed fixes the weights. Each fills the tensor's elements (under no-grad) and returns it; values are
 * generated in row-major order, so the same seed and shape always give the same tensor.
 *
 * <ul>
 *   <li>{@link #kaimingUniform}: {@code U(−b, b)}, {@code b = gain·√(3 / fan)}, gain from the nonlinearity
 *       (He et al. 2015);
 *   <li>{@link #kaimingNormal}: {@code N(0, std²)}, {@code std = gain / √fan};
 *   <li>{@link #xavierUniform}: {@code U(−b, b)}, {@code b = gain·√(6 / (fan_in + fan_out))} (Glorot &amp;
 *       Bengio 2010);
 *   <li>{@link #xavierNormal}: {@code N(0, std²)}, {@code std = gain·√(2 / (fan_in + fan_out))}.
 * </ul>
 */
public final class Init {

    private Init() {
    }

    /** Uniform in {@code [lo, hi)}. */
    public static Tensor uniform(Tensor t, double lo, double hi, Rng rng) {
        if (!(lo <= hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("uniform: need finite lo <= hi, got [" + lo + ", " + hi + ")");
        }
        float[] v = new float[t.numel()];
        rng.fillUniform(v, (float) lo, (float) hi);
        return write(t, v);
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(Tensor t, double mean, double std, Rng rng) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("normal: std must be finite and non-negative, got " + std);
        }
        float[] v = new float[t.numel()];
        rng.fillNormal(v, (float) mean, (float) std);
        return write(t, v);
    }

    public static Tensor constant(Tensor t, double value) {
        float[] v = new float[t.numel()];
        Arrays.fill(v, (float) value);
        return write(t, v);
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /**
     * He uniform: {@code U(−b, b)} with {@code b = gain(nonlinearity, a)·√(3 / fan)}. PyTorch's default for
     * Linear and Conv is {@code a = √5, FAN_IN, LEAKY_RELU}, which gives {@code b = 1/√fan_in}.
     *
     * @param a the negative slope of a leaky ReLU (ignored for other nonlinearities)
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Rng rng) {
        double bound = Math.sqrt(3.0) * kaimingStd("kaimingUniform", t, a, mode, nonlinearity);
        return uniform(t, -bound, bound, rng);
    }

    /** He normal: {@code N(0, std²)} with {@code std = gain(nonlinearity, a) / √fan}. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Rng rng) {
        return normal(t, 0, kaimingStd("kaimingNormal", t, a, mode, nonlinearity), rng);
    }

    /** Glorot uniform: {@code U(−b, b)} with {@code b = gain·√(6 / (fan_in + fan_out))}. */
    public static Tensor xavierUniform(Tensor t, double gain, Rng rng) {
        double bound = Math.sqrt(3.0) * xavierStd("xavierUniform", t, gain);
        return uniform(t, -bound, bound, rng);
    }

    /** Glorot normal: {@code N(0, std²)} with {@code std = gain·√(2 / (fan_in + fan_out))}. */
    public static Tensor xavierNormal(Tensor t, double gain, Rng rng) {
        return normal(t, 0, xavierStd("xavierNormal", t, gain), rng);
    }

    private static double kaimingStd(String op, Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        int fan = Fans.of(t.shape()).get(mode);
        if (fan == 0) {
            throw new IllegalArgumentException(op + ": " + mode + " is 0 for shape " + Shapes.format(t.shape()));
        }
        return nonlinearity.gain(a) / Math.sqrt(fan);
    }

    private static double xavierStd(String op, Tensor t, double gain) {
        Fans f = Fans.of(t.shape());
        if (f.fanIn() + f.fanOut() == 0) {
            throw new IllegalArgumentException(op + ": fan_in + fan_out is 0 for shape " + Shapes.format(t.shape()));
        }
        return gain * Math.sqrt(2.0 / (f.fanIn() + f.fanOut()));
    }

    private static Tensor write(Tensor t, float[] values) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("init: expected a floating-point tensor, got " + t.dtype());
        }
        try (var _ = GradMode.noGrad()) {
            t.copyFrom(Tensor.wrap(DType.F32, values, values.length).reshape(t.shape()));
        }
        return t;
    }
}
