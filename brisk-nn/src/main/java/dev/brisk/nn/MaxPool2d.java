package dev.brisk.nn;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Pool;

/**
 * Max pooling over the last two dims of {@code (N, C, H, W)} or {@code (C, H, W)}:
 * {@code out[.., p, q] = max_{i, j} x[.., p·sh − ph + i·dh, q·sw − pw + j·dw]}, padding never winning
 * (see {@link Pool#maxPool2d}). Every array holds (height, width).
 */
public final class MaxPool2d extends Module {

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;

    /** Square window, stride = kernel, no padding (PyTorch's {@code MaxPool2d(k)}). */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1});
    }

    /** @param padding at most half the kernel, as PyTorch requires */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        this.kernel = Checks.pair("MaxPool2d", "kernel", kernel, false);
        this.stride = Checks.pair("MaxPool2d", "stride", stride, false);
        this.padding = Checks.pair("MaxPool2d", "padding", padding, true);
        this.dilation = Checks.pair("MaxPool2d", "dilation", dilation, false);
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException("MaxPool2d: padding " + Shapes.format(padding)
                    + " must be at most half the kernel " + Shapes.format(kernel));
        }
        describe("kernel_size=" + Shapes.format(kernel) + ", stride=" + Shapes.format(stride) + ", padding="
                + Shapes.format(padding) + ", dilation=" + Shapes.format(dilation));
    }

    @Override
    public Tensor forward(Tensor x) {
        // (N, C, H, W) -> (N, C, OH, OW)
        Checks.rank("MaxPool2d", x, "(N, C, H, W) or (C, H, W)", 3, 4);
        return Pool.maxPool2d(x, kernel, stride, padding, dilation);
    }

    /** (height, width) of the window. */
    public int[] kernel() {
        return kernel.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    public int[] dilation() {
        return dilation.clone();
    }
}
