package dev.brisk.data.transform;

import dev.brisk.data.Image;
import dev.brisk.data.Transform;
import dev.brisk.tensor.Rng;

/** Per channel: {@code out[c] = (in[c] - mean[c]) / std[c]}. */
public record Normalize(float[] mean, float[] std) implements Transform<Image, Image> {

    public Normalize {
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize needs one mean and one std per channel, got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("Normalize channel " + c + ": std must be finite and > 0 and mean "
                        + "finite, got mean " + mean[c] + ", std " + std[c]);
            }
        }
    }

    /** One channel (grayscale), e.g. Fashion-MNIST's mean 0.2860, std 0.3530. */
    public static Normalize of(float mean, float std) {
        return new Normalize(new float[] {mean}, new float[] {std});
    }

    @Override
    public Image apply(Image in, Rng rng) {
        if (in.channels() != mean.length) {
            throw new IllegalArgumentException("Normalize has statistics for " + mean.length + " channel(s) but the "
                    + "image has " + in.channels());
        }
        int plane = in.height() * in.width();
        float[] src = in.data(), out = new float[src.length];
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c], inv = 1f / std[c];
            for (int i = c * plane, end = i + plane; i < end; i++) {
                out[i] = (src[i] - m) * inv;
            }
        }
        return new Image(out, in.channels(), in.height(), in.width());
    }
}
