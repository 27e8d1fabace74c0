package dev.brisk.nn;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Pool;

/**
 * Average pooling over the last two dims of {@code (N, C, H, W)} or {@code (C, H, W)}: each output is the mean of
 * its {@code kh × kw} window. With {@code countIncludePad} (PyTorch's default) padded zeros count in the divisor;
 * without it only in-image elements do. Every array holds (height, width).
 */
public final class AvgPool2d extends Module {

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean countIncludePad;

    /** Square window, stride = kernel, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, true);
    }

    /** @param padding at most half the kernel, as PyTorch requires */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        this.kernel = Checks.pair("AvgPool2d", "kernel", kernel, false);
        this.stride = Checks.pair("AvgPool2d", "stride", stride, false);
        this.padding = Checks.pair("AvgPool2d", "padding", padding, true);
        this.countIncludePad = countIncludePad;
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException("AvgPool2d: padding " + Shapes.format(padding)
                    + " must be at most half the kernel " + Shapes.format(kernel));
        }
        describe("kernel_size=" + Shapes.format(kernel) + ", stride=" + Shapes.format(stride) + ", padding="
                + Shapes.format(padding) + ", count_include_pad=" + countIncludePad);
    }

    @Override
    public Tensor forward(Tensor x) {
        // (N, C, H, W) -> (N, C, OH, OW)
        Checks.rank("AvgPool2d", x, "(N, C, H, W) or (C, H, W)", 3, 4);
        return Pool.avgPool2d(x, kernel, stride, padding, countIncludePad);
    }
}
