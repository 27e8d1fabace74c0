package dev.brisk.optim;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.OptimizerKernels;
import java.util.Map;

/**
 * Gradient clipping, in place on the parameters' F32 gradients (parameters without a gradient are skipped).
 * With fp16 loss scaling, clip after {@link LossScaler#unscale} and before {@link LossScaler#step}.
 */
public final class GradClip {

    /** Added to the norm before dividing, as PyTorch's {@code clip_grad_norm_}. */
    static final double NORM_EPS = 1e-6;

    private GradClip() {
    }

    /** ‖g‖₂ over all gradients taken as one vector (sums of squares in double); inf/NaN if any element is. */
    public static double globalNorm(Map<String, Tensor> params) {
        OptimizerKernels k = Kernels.get().optimizers();
        double sum = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor g = grad(e.getKey(), e.getValue());
            if (g != null) {
                sum += k.sumOfSquares(g.storage().floats(), g.offset(), g.numel());
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Rescales every gradient by c = maxNorm / (‖g‖ + 1e-6) when c &lt; 1, so the global norm becomes (just under)
     * {@code maxNorm}; returns the norm before clipping. When the norm is inf or NaN the gradients are left
     * untouched and the non-finite norm is returned, so the caller (or {@link LossScaler}) can skip the step;
     * {@link #byGlobalNormOrThrow} throws instead.
     */
    public static double byGlobalNorm(Map<String, Tensor> params, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("clip by global norm: maxNorm must be a positive finite number, got "
                    + maxNorm);
        }
        double norm = globalNorm(params);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        double c = maxNorm / (norm + NORM_EPS);
        if (c < 1) {
            OptimizerKernels k = Kernels.get().optimizers();
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor g = grad(e.getKey(), e.getValue());
                if (g != null) {
                    k.scale(g.storage().floats(), g.offset(), g.numel(), (float) c);
                }
            }
        }
        return norm;
    }

    /** As {@link #byGlobalNorm}, but a non-finite norm is an error naming the first non-finite gradient. */
    public static double byGlobalNormOrThrow(Map<String, Tensor> params, double maxNorm) {
        double norm = byGlobalNorm(params, maxNorm);
        if (!Double.isFinite(norm)) {
            throw new ArithmeticException("the total gradient norm is " + norm + " (first non-finite gradient: '"
                    + firstNonFinite(params) + "'); with fp16 use LossScaler, which skips such steps");
        }
        return norm;
    }

    /** Clamps every gradient element to [−clipValue, clipValue]; NaN stays NaN. */
    public static void byValue(Map<String, Tensor> params, double clipValue) {
        if (!(clipValue > 0) || Double.isInfinite(clipValue)) {
            throw new IllegalArgumentException("clip by value: clipValue must be a positive finite number, got "
                    + clipValue);
        }
        OptimizerKernels k = Kernels.get().optimizers();
        float c = (float) clipValue;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor g = grad(e.getKey(), e.getValue());
            if (g != null) {
                k.clamp(g.storage().floats(), g.offset(), g.numel(), -c, c);
            }
        }
    }

    /** The name of the first parameter whose gradient holds inf or NaN, or null. */
    static String firstNonFinite(Map<String, Tensor> params) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor g = grad(e.getKey(), e.getValue());
            if (g != null) {
                float[] a = g.storage().floats();
                for (int i = g.offset(), end = g.offset() + g.numel(); i < end; i++) {
                    if (!Float.isFinite(a[i])) {
                        return e.getKey();
                    }
                }
            }
        }
        return null;
    }

    /** The parameter's gradient as a contiguous F32 tensor whose elements can be updated in place, or null. */
    static Tensor grad(String name, Tensor param) {
        Tensor g = param.grad();
        if (g == null) {
            return null;
        }
        if (g.dtype() != DType.F32 || !g.isContiguous()) {
            throw new IllegalStateException("gradient of '" + name + "' must be a contiguous F32 tensor, got "
                    + g.dtype() + (g.isContiguous() ? "" : ", strided") + " (Tensor.setGrad stores F32)");
        }
        return g;
    }
}
