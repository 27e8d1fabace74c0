package dev.brisk.nn.init;

import dev.brisk.tensor.Shapes;

/**
 * Fan-in and fan-out of a weight, as PyTorch's {@code _calculate_fan_in_and_fan_out}: for a shape
 * {@code (out, in, k1, k2, ...)}, {@code fanIn = in·k1·k2·…} and {@code fanOut = out·k1·k2·…}.
 */
public record Fans(int fanIn, int fanOut) {

    public static Fans of(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan in and fan out need a weight with at least 2 dims, got shape "
                    + Shapes.format(shape));
        }
        int receptive = 1;
        for (int d = 2; d < shape.length; d++) {
            receptive *= shape[d];
        }
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }

    public int get(FanMode mode) {
        return mode == FanMode.FAN_IN ? fanIn : fanOut;
    }
}
