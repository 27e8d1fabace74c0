package dev.brisk.data.transform;

import dev.brisk.data.Image;
import dev.brisk.data.Transform;
import dev.brisk.tensor.Rng;

/**
 * Random erasing (Zhong et al. 2017, as in torchvision): with probability {@code p}, fills a rectangle covering a
 * fraction {@code ∈ [minArea, maxArea]} of the image with aspect ratio h/w log-uniform in
 * {@code [minRatio, maxRatio]} with {@code value} in every channel; up to 10 tries to find a rectangle that fits,
 * else the image is unchanged.
 */
public record RandomErasing(double p, double minArea, double maxArea, double minRatio, double maxRatio, float value)
        implements Transform<Image, Image> {

    public RandomErasing {
        if (!(p >= 0 && p <= 1) || !(minArea > 0 && minArea <= maxArea && maxArea <= 1)
                || !(minRatio > 0 && minRatio <= maxRatio && Double.isFinite(maxRatio))) {
            throw new IllegalArgumentException("RandomErasing needs p in [0, 1], 0 < minArea ≤ maxArea ≤ 1 and "
                    + "0 < minRatio ≤ maxRatio, got p " + p + ", area [" + minArea + ", " + maxArea + "], ratio ["
                    + minRatio + ", " + maxRatio + "]");
        }
    }

    /** torchvision's defaults: p 0.5, area 2%–33%, ratio 0.3–3.3, fill 0. */
    public static RandomErasing defaults() {
        return new RandomErasing(0.5, 0.02, 0.33, 0.3, 3.3, 0f);
    }

    @Override
    public Image apply(Image in, Rng rng) {
        if (rng.nextDouble() >= p) {
            return in;
        }
        int h = in.height(), w = in.width();
        double logLo = Math.log(minRatio), logHi = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = h * w * (minArea + (maxArea - minArea) * rng.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
            int eh = (int) Math.round(Math.sqrt(area * ratio));
            int ew = (int) Math.round(Math.sqrt(area / ratio));
            if (eh >= 1 && ew >= 1 && eh < h && ew < w) {
                int top = rng.nextInt(h - eh + 1), left = rng.nextInt(w - ew + 1);
                return erase(in, top, left, eh, ew, value);
            }
        }
        return in;
    }

    /** A copy with rows [top, top+height) × columns [left, left+width) of every channel set to {@code value}. */
    public static Image erase(Image in, int top, int left, int height, int width, float value) {
        if (top < 0 || left < 0 || height < 0 || width < 0 || top + height > in.height()
                || left + width > in.width()) {
            throw new IllegalArgumentException("erase region rows " + top + "+" + height + ", columns " + left + "+"
                    + width + " is outside the " + in.height() + "x" + in.width() + " image");
        }
        float[] out = in.data().clone();
        for (int c = 0; c < in.channels(); c++) {
            for (int y = top; y < top + height; y++) {
                int row = (c * in.height() + y) * in.width();
                java.util.Arrays.fill(out, row + left, row + left + width, value);
            }
        }
        return new Image(out, in.channels(), in.height(), in.width());
    }
}
