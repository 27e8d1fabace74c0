package dev.brisk.nn;

import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Pool;

/**
 * Average pooling to a fixed output size {@code (outH, outW)} whatever the input's H and W: output row r averages
 * input rows {@code ⌊r·H/outH⌋ .. ⌈(r+1)·H/outH⌉ − 1}, likewise columns. {@code AdaptiveAvgPool2d(1)} is global
 * average pooling.
 */
public final class AdaptiveAvgPool2d extends Module {

    private final int outH;
    private final int outW;

    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        this.outH = Checks.positive("AdaptiveAvgPool2d", "outH", outH);
        this.outW = Checks.positive("AdaptiveAvgPool2d", "outW", outW);
        describe("output_size=[" + outH + "," + outW + "]");
    }

    @Override
    public Tensor forward(Tensor x) {
        // (N, C, H, W) -> (N, C, outH, outW)
        Checks.rank("AdaptiveAvgPool2d", x, "(N, C, H, W) or (C, H, W)", 3, 4);
        Checks.floating("AdaptiveAvgPool2d", x);
        return Pool.adaptiveAvgPool2d(x, outH, outW);
    }
}
