package dev.brisk.data;

import java.util.Objects;

/** An unsigned 8-bit image in (C, H, W) layout, as stored by IDX and CIFAR files; {@code pixels[i] & 0xFF}. */
public record ByteImage(byte[] pixels, int channels, int height, int width) {

    public ByteImage {
        Objects.requireNonNull(pixels, "pixels");
        if (channels < 1 || height < 1 || width < 1 || (long) channels * height * width != pixels.length) {
            throw new IllegalArgumentException("image " + channels + "x" + height + "x" + width + " needs "
                    + (long) channels * height * width + " bytes, got " + pixels.length);
        }
    }

    /** The pixel value 0..255 at channel c, row y, column x. */
    public int at(int c, int y, int x) {
        return pixels[(c * height + y) * width + x] & 0xFF;
    }
}
