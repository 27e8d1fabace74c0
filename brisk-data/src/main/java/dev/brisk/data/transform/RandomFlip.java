package dev.brisk.data.transform;

import dev.brisk.data.Image;
import dev.brisk.data.Transform;
import dev.brisk.tensor.Rng;

/** Mirrors the image along {@code axis} with probability {@code p} (one draw per sample, flipped or not). */
public record RandomFlip(Axis axis, double p) implements Transform<Image, Image> {

    /** HORIZONTAL mirrors left–right (reverses columns), VERTICAL top–bottom (reverses rows). */
    public enum Axis { HORIZONTAL, VERTICAL }

    public RandomFlip {
        java.util.Objects.requireNonNull(axis, "axis");
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
        }
    }

    public static RandomFlip horizontal() {
        return new RandomFlip(Axis.HORIZONTAL, 0.5);
    }

    public static RandomFlip vertical() {
        return new RandomFlip(Axis.VERTICAL, 0.5);
    }

    @Override
    public Image apply(Image in, Rng rng) {
        return rng.nextDouble() < p ? flip(in, axis) : in;
    }

    /** HORIZONTAL: {@code out(c, y, x) = in(c, y, W-1-x)}; VERTICAL: {@code out(c, y, x) = in(c, H-1-y, x)}. */
    public static Image flip(Image in, Axis axis) {
        int h = in.height(), w = in.width();
        float[] src = in.data(), out = new float[src.length];
        for (int c = 0; c < in.channels(); c++) {
            for (int y = 0; y < h; y++) {
                int row = (c * h + y) * w;
                if (axis == Axis.HORIZONTAL) {
                    for (int x = 0; x < w; x++) {
                        out[row + x] = src[row + w - 1 - x];
                    }
                } else {
                    System.arraycopy(src, (c * h + h - 1 - y) * w, out, row, w);
                }
            }
        }
        return new Image(out, in.channels(), h, w);
    }
}
