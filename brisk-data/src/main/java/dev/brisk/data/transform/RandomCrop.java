package dev.brisk.data.transform;

import dev.brisk.data.Image;
import dev.brisk.data.Transform;
import dev.brisk.tensor.Rng;

/**
 * Pads the image with {@code padding} zeros on every side, then cuts a {@code height × width} window at a
 * uniformly random offset: {@code top ∈ [0, H + 2p - height]}, {@code left ∈ [0, W + 2p - width]}.
 */
public record RandomCrop(int height, int width, int padding) implements Transform<Image, Image> {

    public RandomCrop {
        if (height < 1 || width < 1 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop needs height, width ≥ 1 and padding ≥ 0, got " + height
                    + "x" + width + " padding " + padding);
        }
    }

    @Override
    public Image apply(Image in, Rng rng) {
        int rangeY = in.height() + 2 * padding - height, rangeX = in.width() + 2 * padding - width;
        if (rangeY < 0 || rangeX < 0) {
            throw new IllegalArgumentException("RandomCrop " + height + "x" + width + " is larger than the padded "
                    + "image " + (in.height() + 2 * padding) + "x" + (in.width() + 2 * padding));
        }
        int top = rng.nextInt(rangeY + 1);
        int left = rng.nextInt(rangeX + 1);
        return crop(in, top, left, height, width, padding);
    }

    /**
     * The {@code height × width} window at ({@code top}, {@code left}) of the image padded by {@code padding}
     * zeros: {@code out(c, y, x) = in(c, top + y - padding, left + x - padding)}, 0 outside the image.
     */
    public static Image crop(Image in, int top, int left, int height, int width, int padding) {
        int h = in.height(), w = in.width();
        float[] src = in.data(), out = new float[in.channels() * height * width];
        int x0 = Math.max(0, padding - left), x1 = Math.min(width, w + padding - left); // columns inside the image
        for (int c = 0; c < in.channels(); c++) {
            for (int y = 0; y < height; y++) {
                int sy = top + y - padding;
                if (sy < 0 || sy >= h || x0 >= x1) {
                    continue;
                }
                System.arraycopy(src, (c * h + sy) * w + left + x0 - padding, out, (c * height + y) * width + x0,
                        x1 - x0);
            }
        }
        return new Image(out, in.channels(), height, width);
    }
}
