package dev.brisk.data.transform;

import dev.brisk.data.ByteImage;
import dev.brisk.data.Image;
import dev.brisk.data.Transform;
import dev.brisk.tensor.Rng;

/** uint8 pixels to floats in [0, 1]: {@code v / 255}, layout unchanged (C, H, W). */
public record ToTensor() implements Transform<ByteImage, Image> {

    @Override
    public Image apply(ByteImage in, Rng rng) {
        return convert(in);
    }

    public static Image convert(ByteImage in) {
        byte[] p = in.pixels();
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (p[i] & 0xFF) * (1f / 255f);
        }
        return new Image(out, in.channels(), in.height(), in.width());
    }
}
