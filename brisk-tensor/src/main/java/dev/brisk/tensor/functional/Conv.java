package dev.brisk.tensor.functional;

import dev.brisk.tensor.Autocast;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;

/**
 * 2-D convolution (cross-correlation, as {@code torch.nn.functional.conv2d}) with its backward rule.
 *
 * <pre>
 *   out[n, o, p, q] = bias[o] + Σ_{c ∈ group(o), i, j} x[n, c, p·sh − ph + i·dh, q·sw − pw + j·dw] · W[o, c, i, j]
 *   x (N, C, H, W)   W (O, C/groups, KH, KW)   bias (O)   out (N, O, OH, OW)
 *   OH = ⌊(H + 2·ph − dh·(KH − 1) − 1) / sh⌋ + 1   (likewise OW)
 * </pre>
 *
 * Forward and both backward passes are GEMMs on the active backend ({@link ConvKernels}: im2col per image into
 * a per-thread workspace, images spread over the intra-op pool). Computes in F32; a BF16/F16 input gives an
 * output of the input's dtype (a BF16 one is widened per image and never copied whole to F32).
 */
public final class Conv {

    private Conv() {
    }

    /**
     * @param bias     (O) or null
     * @param stride   {sh, sw} (or one value for both), each ≥ 1
     * @param padding  {ph, pw} (or one value), zero padding, each ≥ 0
     * @param dilation {dh, dw} (or one value), each ≥ 1
     * @param groups   ≥ 1, dividing both C and O
     */
    public static Tensor conv2d(Tensor x0, Tensor weight0, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        // under autocast the operands (and so the activations saved for backward) are 16-bit copies
        Tensor x = x0 == null ? null : Autocast.forCompute(x0);
        Tensor weight = weight0 == null ? null : Autocast.forCompute(weight0);
        ConvGeometry g = geometry(x, weight, bias, stride, padding, dilation, groups);
        // a BF16 input stays BF16 all the way: the kernels widen it per image and round the output once
        boolean bf16 = x.dtype() == DType.BF16;
        Tensor out = bf16 ? Tensor.zeros(DType.BF16, g.n(), g.o(), g.oh(), g.ow())
                : Tensor.zeros(g.n(), g.o(), g.oh(), g.ow());
        try (var s = GradMode.noGrad()) {
            Tensor wc = dense(weight);
            Tensor bc = bias == null ? null : dense(bias);
            if (out.numel() > 0) {
                ConvKernels.forward(g, data(denseInput(x)), wc.storage().floats(),
                        bc == null ? null : bc.storage().floats(), data(out));
            }
        }
        Tensor result = bf16 || x.dtype() == DType.F32 ? out : out.to(x.dtype());
        if (!Graph.needed(x, weight, bias)) {
            return result;
        }
        // y = conv(x, W) + b  =>  dx = col2im(Wᵀ·g), dW = Σ_n g·cols(x)ᵀ, db = Σ_{n,p} g   (per group)
        return Graph.record(result, "conv2d", gOut -> {
            float[] gf = dense(gOut).storage().floats();
            Tensor dx = null;
            Tensor dw = null;
            Tensor db = null;
            // the working copies are rebuilt here rather than kept alive from the forward, so a 16-bit
            // (autocast) input stays 16-bit between forward and backward
            if (x.requiresGrad()) {
                dx = Tensor.zeros(x.shape());
                ConvKernels.backwardData(g, gf, dense(weight).storage().floats(), dx.storage().floats());
            }
            if (weight.requiresGrad()) {
                dw = Tensor.zeros(weight.shape());
                ConvKernels.backwardWeight(g, data(denseInput(x)), gf, dw.storage().floats());
            }
            if (bias != null && bias.requiresGrad()) {
                db = Tensor.zeros(g.o());
                ConvKernels.backwardBias(g, gf, db.storage().floats());
            }
            return bias == null ? new Tensor[] {dx, dw} : new Tensor[] {dx, dw, db};
        }, bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias});
    }

    /** As {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} with stride 1, no padding, dilation 1. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
        return conv2d(x, weight, bias, new int[] {1}, new int[] {0}, new int[] {1}, 1);
    }

    /**
     * The gradient of {@link #conv2d} with respect to its input, on its own (as {@code torch.nn.grad.conv2d_input}):
     * dx (N, C, H, W) = col2im(Wᵀ · gOut) for an input of shape {@code xShape}. Not recorded by autograd.
     */
    public static Tensor conv2dInputGrad(int[] xShape, Tensor weight, Tensor gOut, int[] stride, int[] padding,
                                         int[] dilation, int groups) {
        try (var s = GradMode.noGrad()) {
            ConvGeometry g = geometry(Tensor.scalar(0f).expand(xShape), weight, null, stride, padding,
                    dilation, groups);
            checkGradShape(g, gOut);
            Tensor dx = Tensor.zeros(xShape);
            ConvKernels.backwardData(g, dense(gOut).storage().floats(), dense(weight).storage().floats(),
                    dx.storage().floats());
            return dx;
        }
    }

    /**
     * The gradient of {@link #conv2d} with respect to its weight, on its own (as
     * {@code torch.nn.grad.conv2d_weight}): dW (O, C/groups, KH, KW) = Σ_n gOut · cols(x)ᵀ. Not recorded by autograd.
     */
    public static Tensor conv2dWeightGrad(Tensor x, int[] weightShape, Tensor gOut, int[] stride, int[] padding,
                                          int[] dilation, int groups) {
        try (var s = GradMode.noGrad()) {
            ConvGeometry g = geometry(x, Tensor.scalar(0f).expand(weightShape), null, stride, padding,
                    dilation, groups);
            checkGradShape(g, gOut);
            Tensor dw = Tensor.zeros(weightShape);
            ConvKernels.backwardWeight(g, dense(x).storage().floats(), dense(gOut).storage().floats(),
                    dw.storage().floats());
            return dw;
        }
    }

    private static void checkGradShape(ConvGeometry g, Tensor gOut) {
        int[] want = {g.n(), g.o(), g.oh(), g.ow()};
        if (!Arrays.equals(want, gOut.shape())) {
            throw new IllegalArgumentException("conv2d: output gradient must have the output's shape "
                    + Arrays.toString(want) + ", got " + Arrays.toString(gOut.shape()));
        }
    }

    /** As {@link #dense}, but a BF16 tensor stays BF16 (the kernels widen it per image). */
    private static Tensor denseInput(Tensor t) {
        if (t.dtype() != DType.BF16) {
            return dense(t);
        }
        Tensor c = t.contiguous();
        return c.offset() == 0 ? c : c.copy();
    }

    /** The storage array of a dense F32 or BF16 tensor: float[] or short[]. */
    private static Object data(Tensor t) {
        return t.dtype() == DType.BF16 ? t.storage().shorts() : t.storage().floats();
    }

    /** F32, contiguous, starting at element 0 of its storage (the kernels index from 0). */
    private static Tensor dense(Tensor t) {
        Tensor c = t.to(DType.F32).contiguous();
        return c.offset() == 0 ? c : c.copy();
    }

    private static ConvGeometry geometry(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] dilation, int groups) {
        if (x == null || weight == null) {
            throw new NullPointerException("conv2d: input and weight must not be null");
        }
        String shapes = "input " + Arrays.toString(x.shape()) + ", weight " + Arrays.toString(weight.shape())
                + (bias == null ? "" : ", bias " + Arrays.toString(bias.shape()));
        if (x.dim() != 4) {
            throw new IllegalArgumentException("conv2d: input must be 4-D (N, C, H, W), got " + shapes
                    + " (add a batch dim with unsqueeze(0) for a single image)");
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("conv2d: weight must be 4-D (O, C/groups, KH, KW), got " + shapes);
        }
        for (Tensor t : new Tensor[] {x, weight, bias}) {
            if (t != null && !t.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("conv2d: expected floating-point tensors, got " + t.dtype()
                        + " (" + shapes + ")");
            }
        }
        int[] s = pair("stride", stride, 1);
        int[] p = pair("padding", padding, 0);
        int[] d = pair("dilation", dilation, 1);
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int o = weight.size(0), kh = weight.size(2), kw = weight.size(3);
        if (groups < 1) {
            throw new IllegalArgumentException("conv2d: groups must be at least 1, got " + groups);
        }
        if (c % groups != 0 || o % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide both the input channels ("
                    + c + ") and the output channels (" + o + "); " + shapes);
        }
        if (weight.size(1) != c / groups) {
            throw new IllegalArgumentException("conv2d: weight dim 1 must be C/groups = " + c + "/" + groups + " = "
                    + c / groups + ", got " + shapes);
        }
        if (o == 0 || kh == 0 || kw == 0) {
            throw new IllegalArgumentException("conv2d: weight must have at least one output channel and a non-empty "
                    + "kernel, got " + shapes);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != o)) {
            throw new IllegalArgumentException("conv2d: bias must be 1-D of size O = " + o + ", got " + shapes);
        }
        long effH = (long) d[0] * (kh - 1) + 1;
        long effW = (long) d[1] * (kw - 1) + 1;
        long oh = (h + 2L * p[0] - effH) / s[0] + 1;
        long ow = (w + 2L * p[1] - effW) / s[1] + 1;
        if (h + 2L * p[0] < effH || w + 2L * p[1] < effW) {
            throw new IllegalArgumentException("conv2d: padded input " + (h + 2L * p[0]) + "x" + (w + 2L * p[1])
                    + " is smaller than the dilated kernel " + effH + "x" + effW + "; " + shapes + ", padding "
                    + Arrays.toString(p) + ", dilation " + Arrays.toString(d));
        }
        long cols = (long) (c / groups) * kh * kw * oh * ow;
        if ((long) n * o * oh * ow > Integer.MAX_VALUE || cols > Integer.MAX_VALUE
                || (long) n * c * h * w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: tensors over 2^31 elements are not supported; " + shapes);
        }
        return new ConvGeometry(n, c, h, w, o, kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], groups, (int) oh,
                (int) ow);
    }

    /** {v} or {vh, vw} -> {vh, vw}, each ≥ min. */
    static int[] pair(String what, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException("conv2d: " + what + " must have 1 or 2 values, got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        int[] r = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        if (r[0] < min || r[1] < min) {
            throw new IllegalArgumentException("conv2d: " + what + " must be at least " + min + ", got "
                    + Arrays.toString(v));
        }
        return r;
    }
}
