package dev.brisk.tensor.functional;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.PoolKernels;
import java.util.Arrays;

/**
 * 2-D pooling over the last two dims of (N, C, H, W) or (C, H, W) inputs, as {@code torch.nn.functional}
 * (ceil_mode off), each forward next to its backward. Kernels come from the active backend's
 * {@link PoolKernels}; every (n, c) plane is pooled independently.
 *
 * <pre>
 *   OH = ⌊(H + 2·ph − dh·(kh − 1) − 1) / sh⌋ + 1      (likewise OW; dilation 1 for average pooling)
 * </pre>
 */
public final class Pool {

    private Pool() {
    }

    /**
     * Max pooling. {@code stride} null or empty means stride = kernel (PyTorch's default); padding positions
     * never win; dx gets each output gradient at the position of its window's first maximum.
     */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        Window win = window("maxPool2d", x, kernel, stride, padding, dilation);
        int planes = win.planes;
        int[] argmax = new int[planes * win.oh * win.ow];
        Tensor out = Tensor.zeros(win.outShape);
        if (x.dtype() == DType.BF16) {
            out = Tensor.zeros(DType.BF16, win.outShape);
            Bf16Planes.forward(x, out, planes, win.h * win.w, win.oh * win.ow,
                    (xs, xo, n, os, oo, first) -> Kernels.get().pooling().maxPool2d(xs, xo, n, win.h, win.w, win.kh,
                            win.kw, win.sh, win.sw, win.ph, win.pw, win.dh, win.dw, os, oo, win.oh, win.ow, argmax,
                            first * win.oh * win.ow));
        } else {
            try (var s = GradMode.noGrad()) {
                Tensor xc = dense(x);
                Kernels.get().pooling().maxPool2d(xc.storage().floats(), 0, planes, win.h, win.w, win.kh, win.kw,
                        win.sh, win.sw, win.ph, win.pw, win.dh, win.dw, out.storage().floats(), 0, win.oh, win.ow,
                        argmax, 0);
            }
        }
        // y = max over window  =>  dx[argmax] += g
        return record(out, x, "max_pool2d", g -> {
            Tensor dx = Tensor.zeros(x.shape());
            Kernels.get().pooling().maxPool2dBackward(dense(g).storage().floats(), 0, argmax, 0, planes, win.oh,
                    win.ow, dx.storage().floats(), 0, win.h, win.w);
            return dx;
        });
    }

    /** Max pooling with a square kernel, stride = kernel, no padding (the {@code cnn} workload's pool). */
    public static Tensor maxPool2d(Tensor x, int kernel) {
        return maxPool2d(x, new int[] {kernel}, null, new int[] {0}, new int[] {1});
    }

    /**
     * Average pooling; {@code countIncludePad} divides by the window size clipped to the padded image (PyTorch's
     * default, true) instead of the number of in-image elements.
     */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        Window win = window("avgPool2d", x, kernel, stride, padding, new int[] {1});
        int planes = win.planes;
        Tensor out = Tensor.zeros(win.outShape);
        if (x.dtype() == DType.BF16) {
            out = Tensor.zeros(DType.BF16, win.outShape);
            Bf16Planes.forward(x, out, planes, win.h * win.w, win.oh * win.ow,
                    (xs, xo, n, os, oo, first) -> Kernels.get().pooling().avgPool2d(xs, xo, n, win.h, win.w, win.kh,
                            win.kw, win.sh, win.sw, win.ph, win.pw, countIncludePad, os, oo, win.oh, win.ow));
        } else {
            try (var s = GradMode.noGrad()) {
                Tensor xc = dense(x);
                Kernels.get().pooling().avgPool2d(xc.storage().floats(), 0, planes, win.h, win.w, win.kh, win.kw,
                        win.sh, win.sw, win.ph, win.pw, countIncludePad, out.storage().floats(), 0, win.oh, win.ow);
            }
        }
        // y = Σ window / count  =>  dx[window] += g / count
        return record(out, x, "avg_pool2d", g -> {
            Tensor dx = Tensor.zeros(x.shape());
            Kernels.get().pooling().avgPool2dBackward(dense(g).storage().floats(), 0, planes, win.h, win.w, win.kh,
                    win.kw, win.sh, win.sw, win.ph, win.pw, countIncludePad, dx.storage().floats(), 0, win.oh,
                    win.ow);
            return dx;
        });
    }

    /**
     * Adaptive average pooling to (outH, outW): output cell (r, q) averages rows ⌊r·H/outH⌋ .. ⌈(r+1)·H/outH⌉ − 1
     * and likewise columns. When the sizes divide evenly this is {@link #avgPool2d} with kernel = stride = H/outH;
     * otherwise a scalar loop (windows of varying size, mostly the tiny tail of a network).
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: input must be (N, C, H, W) or (C, H, W), got "
                    + Arrays.toString(x.shape()));
        }
        int h = x.size(-2), w = x.size(-1);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: output size must be at least 1x1, got " + outH
                    + "x" + outW);
        }
        if (h == 0 || w == 0) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: input " + Arrays.toString(x.shape())
                    + " has an empty plane");
        }
        if (h % outH == 0 && w % outW == 0) {
            int[] k = {h / outH, w / outW};
            return avgPool2d(x, k, k, new int[] {0}, true);
        }
        int[] outShape = x.shape();
        outShape[outShape.length - 2] = outH;
        outShape[outShape.length - 1] = outW;
        int planes = x.numel() / (h * w);
        Tensor out = Tensor.zeros(outShape);
        try (var s = GradMode.noGrad()) {
            AdaptivePool.forward(dense(x).storage().floats(), planes, h, w, out.storage().floats(), outH, outW);
        }
        return record(out, x, "adaptive_avg_pool2d", g -> {
            Tensor dx = Tensor.zeros(x.shape());
            AdaptivePool.backward(dense(g).storage().floats(), planes, h, w, dx.storage().floats(), outH, outW);
            return dx;
        });
    }

    private static Tensor record(Tensor out, Tensor x, String op, java.util.function.UnaryOperator<Tensor> dx) {
        Tensor result = x.dtype() == out.dtype() ? out : out.to(x.dtype());
        if (!Graph.needed(x)) {
            return result;
        }
        return Graph.record(result, op, g -> new Tensor[] {dx.apply(g)}, x);
    }

    /** F32, contiguous, starting at element 0 of its storage. */
    private static Tensor dense(Tensor t) {
        Tensor c = t.to(DType.F32).contiguous();
        return c.offset() == 0 ? c : c.copy();
    }

    /** Validated pooling geometry. */
    private record Window(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                          int oh, int ow, int[] outShape) {
    }

    private static Window window(String op, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be (N, C, H, W) or (C, H, W), got "
                    + Arrays.toString(x.shape()));
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating-point input, got " + x.dtype());
        }
        int[] k = pair(op, "kernel", kernel, 1);
        int[] s = stride == null || stride.length == 0 ? k : pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] d = pair(op, "dilation", dilation, 1);
        if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(p) + " must be at most half the "
                    + "kernel " + Arrays.toString(k));
        }
        int h = x.size(-2), w = x.size(-1);
        long oh = ((long) h + 2L * p[0] - (long) d[0] * (k[0] - 1) - 1) / s[0] + 1;
        long ow = ((long) w + 2L * p[1] - (long) d[1] * (k[1] - 1) - 1) / s[1] + 1;
        if (h + 2L * p[0] < (long) d[0] * (k[0] - 1) + 1 || w + 2L * p[1] < (long) d[1] * (k[1] - 1) + 1) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(x.shape()) + " with padding "
                    + Arrays.toString(p) + " is smaller than the kernel " + Arrays.toString(k) + " (dilation "
                    + Arrays.toString(d) + ")");
        }
        int planes = h * w == 0 ? 0 : x.numel() / (h * w);
        int[] outShape = x.shape();
        outShape[outShape.length - 2] = (int) oh;
        outShape[outShape.length - 1] = (int) ow;
        return new Window(planes, h, w, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], (int) oh, (int) ow,
                outShape);
    }

    private static int[] pair(String op, String what, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 values, got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        int[] r = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        if (r[0] < min || r[1] < min) {
            throw new IllegalArgumentException(op + ": " + what + " must be at least " + min + ", got "
                    + Arrays.toString(v));
        }
        return r;
    }
}
