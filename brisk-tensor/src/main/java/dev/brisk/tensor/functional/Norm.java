package dev.brisk.tensor.functional;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.NormKernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Differentiable normalisations: layer norm, RMS norm and batch norm, each forward next to its backward, both
 * on the {@link NormKernels} of the active backend. Inputs of any float dtype are normalised in F32 (the
 * precision policy keeps norms in F32); the result has the input's dtype, gradients are F32.
 */
public final class Norm {

    private Norm() {
    }

    // ---- layer norm ---------------------------------------------------------------------------------------------

    /**
     * Layer norm over the last {@code normalizedDims} dims of x: {@code y = (x − μ)/√(σ² + eps)·γ + β}, with
     * μ and the biased σ² taken over those dims. gamma and beta (nullable) have exactly those dims' shape.
     */
    public static Tensor layerNorm(Tensor x, int normalizedDims, Tensor gamma, Tensor beta, float eps) {
        Objects.requireNonNull(x, "x");
        if (normalizedDims < 1 || normalizedDims > x.dim()) {
            throw new IllegalArgumentException("layerNorm: normalizedDims must be in 1.." + x.dim() + " for x of shape "
                    + Arrays.toString(x.shape()) + ", got " + normalizedDims);
        }
        checkEps("layerNorm", eps);
        int[] shape = x.shape();
        int[] normShape = Arrays.copyOfRange(shape, shape.length - normalizedDims, shape.length);
        checkParam("layerNorm", "gamma", gamma, normShape);
        checkParam("layerNorm", "beta", beta, normShape);
        int n = numel(normShape);
        int rows = n == 0 ? 0 : x.numel() / n;
        NormKernels k = Kernels.get().norms();
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        Tensor xc;
        Tensor gc;
        Tensor y;
        try (var s = GradMode.noGrad()) {
            xc = f32(x);
            gc = gamma == null ? null : param(gamma);
            Tensor bc = beta == null ? null : param(beta);
            y = Tensor.zeros(shape);
            if (rows > 0) {
                k.layerNorm(xc.storage().floats(), xc.offset(), rows, n, floats(gc), floats(bc), eps,
                        y.storage().floats(), 0, mean, rstd);
            }
            y = y.to(x.dtype());
        }
        // y = (x − μ)·rstd·γ + β  =>  dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ, x̂ = (x − μ)·rstd;
        // dγ = Σ_rows g·x̂, dβ = Σ_rows g (one fused kernel)
        return Graph.record(y, "layerNorm", g -> {
            Tensor gg = f32(g);
            Tensor dx = x.requiresGrad() ? Tensor.zeros(shape) : null;
            Tensor dgamma = gamma != null && gamma.requiresGrad() ? Tensor.zeros(normShape) : null;
            Tensor dbeta = beta != null && beta.requiresGrad() ? Tensor.zeros(normShape) : null;
            if (rows > 0) {
                k.layerNormBackward(gg.storage().floats(), gg.offset(), xc.storage().floats(), xc.offset(), rows, n,
                        floats(gc), mean, rstd, floats(dx), 0, floats(dgamma), floats(dbeta));
            }
            return new Tensor[] {dx, dgamma, dbeta};
        }, x, gamma, beta);
    }

    // ---- RMS norm -----------------------------------------------------------------------------------------------

    /** RMS norm over the last dim: {@code y = x/√(mean(x²) + eps)·γ}; gamma (nullable) has shape (n). */
    public static Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
        Objects.requireNonNull(x, "x");
        if (x.dim() < 1) {
            throw new IllegalArgumentException("rmsNorm: x needs at least 1 dim, got a scalar");
        }
        checkEps("rmsNorm", eps);
        int[] shape = x.shape();
        int n = shape[shape.length - 1];
        checkParam("rmsNorm", "gamma", gamma, new int[] {n});
        int rows = n == 0 ? 0 : x.numel() / n;
        NormKernels k = Kernels.get().norms();
        float[] rstd = new float[rows];
        Tensor xc;
        Tensor gc;
        Tensor y;
        try (var s = GradMode.noGrad()) {
            xc = f32(x);
            gc = gamma == null ? null : param(gamma);
            y = Tensor.zeros(shape);
            if (rows > 0) {
                k.rmsNorm(xc.storage().floats(), xc.offset(), rows, n, floats(gc), eps, y.storage().floats(), 0, rstd);
            }
            y = y.to(x.dtype());
        }
        // y = x·rstd·γ  =>  dx = rstd·(ĝ − x̂·mean(ĝ·x̂)) with ĝ = g·γ, x̂ = x·rstd; dγ = Σ_rows g·x̂
        return Graph.record(y, "rmsNorm", g -> {
            Tensor gg = f32(g);
            Tensor dx = x.requiresGrad() ? Tensor.zeros(shape) : null;
            Tensor dgamma = gamma != null && gamma.requiresGrad() ? Tensor.zeros(n) : null;
            if (rows > 0) {
                k.rmsNormBackward(gg.storage().floats(), gg.offset(), xc.storage().floats(), xc.offset(), rows, n,
                        floats(gc), rstd, floats(dx), 0, floats(dgamma));
            }
            return new Tensor[] {dx, dgamma};
        }, x, gamma);
    }

    // ---- batch norm ---------------------------------------------------------------------------------------------

    /**
     * Batch norm of x shaped (N, C) or (N, C, *), per channel C, as PyTorch's {@code F.batch_norm}.
     *
     * <ul>
     *   <li>training: normalises with the batch mean and biased variance over N and *, and updates the running
     *       stats in place (when given): {@code running = (1 − momentum)·running + momentum·batch}, the variance
     *       with the unbiased batch variance (·M/(M − 1), M = N·∏*).</li>
     *   <li>eval: normalises with the running stats (an affine op per channel).</li>
     * </ul>
     * {@code y = (x − mean)/√(var + eps)·γ + β}. runningMean/runningVar (shape (C), F32, both or neither;
     * required in eval) and gamma/beta (shape (C)) may be null. Gradients flow to x, gamma and beta.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                   boolean training, float momentum, float eps) {
        Objects.requireNonNull(x, "x");
        if (x.dim() < 2) {
            throw new IllegalArgumentException("batchNorm: x must be (N, C) or (N, C, *), got shape "
                    + Arrays.toString(x.shape()));
        }
        checkEps("batchNorm", eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batchNorm: momentum must be in [0, 1], got " + momentum);
        }
        int[] shape = x.shape();
        int outer = shape[0];
        int channels = shape[1];
        int inner = numel(Arrays.copyOfRange(shape, 2, shape.length));
        int[] cShape = {channels};
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batchNorm: pass both runningMean and runningVar, or neither");
        }
        if (runningMean == null && !training) {
            throw new IllegalArgumentException("batchNorm: eval mode normalises with the running stats; pass "
                    + "runningMean and runningVar (or use training = true)");
        }
        checkParam("batchNorm", "runningMean", runningMean, cShape);
        checkParam("batchNorm", "runningVar", runningVar, cShape);
        checkParam("batchNorm", "gamma", gamma, cShape);
        checkParam("batchNorm", "beta", beta, cShape);
        long m = (long) outer * inner;
        if (training && m <= 1) {
            throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, got "
                    + "input shape " + Arrays.toString(shape));
        }
        NormKernels k = Kernels.get().norms();
        float[] mean = new float[channels];
        float[] rstd = new float[channels];
        Tensor xc;
        Tensor gc;
        Tensor y;
        try (var s = GradMode.noGrad()) {
            xc = f32(x);
            gc = gamma == null ? null : param(gamma);
            float[] g = floats(gc);
            float[] b = beta == null ? null : f32(beta).toFloatArray();
            float[] var;
            if (training) {
                var = new float[channels];
                if (m > 0) {
                    k.channelStats(xc.storage().floats(), xc.offset(), outer, channels, inner, mean, var);
                }
                if (runningMean != null) {
                    updateRunning(runningMean, mean, momentum, 1.0);
                    updateRunning(runningVar, var, momentum, (double) m / (m - 1));
                }
            } else {
                mean = runningMean.toFloatArray();
                var = runningVar.toFloatArray();
            }
            float[] scale = new float[channels];
            for (int c = 0; c < channels; c++) {
                rstd[c] = (float) (1.0 / Math.sqrt((double) var[c] + eps));
                scale[c] = g == null ? rstd[c] : g[c] * rstd[c];
            }
            y = Tensor.zeros(shape);
            if (m > 0) {
                k.channelAffine(xc.storage().floats(), xc.offset(), outer, channels, inner, mean, scale, b,
                        y.storage().floats(), 0);
            }
            y = y.to(x.dtype());
        }
        float[] mu = mean;
        // training: y = x̂·γ + β with x̂ = (x − μ_B)·rstd_B  =>  dx = γ·rstd/M·(M·g − Σg − x̂·Σ g·x̂)
        // eval:     y = (x − μ_run)·rstd_run·γ + β (affine)  =>  dx = γ·rstd·g
        // both: dγ = Σ g·x̂, dβ = Σ g over N and *
        return Graph.record(y, training ? "batchNorm" : "batchNormEval", g -> {
            Tensor gg = f32(g);
            Tensor dx = x.requiresGrad() ? Tensor.zeros(shape) : null;
            Tensor dgamma = gamma != null && gamma.requiresGrad() ? Tensor.zeros(cShape) : null;
            Tensor dbeta = beta != null && beta.requiresGrad() ? Tensor.zeros(cShape) : null;
            if (m > 0) {
                k.batchNormBackward(training, gg.storage().floats(), gg.offset(), xc.storage().floats(), xc.offset(),
                        outer, channels, inner, mu, rstd, floats(gc), floats(dx), 0, floats(dgamma), floats(dbeta));
            }
            return new Tensor[] {dx, dgamma, dbeta};
        }, x, gamma, beta);
    }

    /** running ← (1 − m)·running + m·c·batch, in place (running is a buffer: never recorded). */
    private static void updateRunning(Tensor running, float[] batch, float momentum, double correction) {
        float[] r = running.toFloatArray();
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) ((1.0 - momentum) * r[i] + momentum * correction * batch[i]);
        }
        running.copyFrom(Tensor.of(r, r.length));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** t as contiguous F32 (no copy when it already is); called with grad off. */
    private static Tensor f32(Tensor t) {
        try (var s = GradMode.noGrad()) {
            return t.to(DType.F32).contiguous();
        }
    }

    /** A parameter as a contiguous F32 tensor at offset 0 of its own storage (kernels take γ, β without offsets). */
    private static Tensor param(Tensor t) {
        Tensor c = f32(t);
        return c.offset() == 0 ? c : c.copy();
    }

    /** The storage of a tensor at offset 0 (parameters via {@link #param}, or fresh gradients). */
    private static float[] floats(Tensor t) {
        return t == null ? null : t.storage().floats();
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static void checkEps(String op, float eps) {
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be a finite number ≥ 0, got " + eps);
        }
    }

    private static void checkParam(String op, String name, Tensor t, int[] expected) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + Arrays.toString(expected)
                    + " (the normalised dims of x), got " + Arrays.toString(t.shape()));
        }
    }
}
