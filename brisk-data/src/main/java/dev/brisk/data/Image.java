package dev.brisk.data;

import java.util.Objects;

/** A float image in channel-major (C, H, W) layout: {@code data[(c·H + y)·W + x]}. */
public record Image(float[] data, int channels, int height, int width) {

    public Image {
        Objects.requireNonNull(data, "data");
        if (channels < 1 || height < 1 || width < 1 || (long) channels * height * width != data.length) {
            throw new IllegalArgumentException("image " + channels + "x" + height + "x" + width + " needs "
                    + (long) channels * height * width + " values, got " + data.length);
        }
    }

    /** The value at channel c, row y, column x. */
    public float at(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
