package dev.brisk.data.format;

import dev.brisk.data.ByteImage;
import dev.brisk.data.Dataset;
import dev.brisk.data.Labeled;
import java.util.Arrays;
import java.util.Objects;

/**
 * Labeled uint8 images held once in memory as one byte array, (N, C, H, W) row-major (60,000 Fashion-MNIST
 * images are 47 MB). {@link #get} copies one image's C·H·W bytes out, so samples never alias the store.
 */
public final class ImageDataset implements Dataset<Labeled<ByteImage>> {

    private final String name;
    private final byte[] pixels;
    private final byte[] labels;
    private final int channels, height, width, classes;

    /** {@code labels[i] & 0xFF} is the class of image i, in 0..classes-1. */
    public ImageDataset(String name, byte[] pixels, byte[] labels, int channels, int height, int width, int classes) {
        this.name = Objects.requireNonNull(name, "name");
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.labels = Objects.requireNonNull(labels, "labels");
        if (channels < 1 || height < 1 || width < 1 || classes < 1 || classes > 256) {
            throw new IllegalArgumentException(name + ": need channels, height, width ≥ 1 and 1..256 classes, got "
                    + channels + "x" + height + "x" + width + " with " + classes + " classes");
        }
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need "
                    + (long) labels.length * channels * height * width + " pixel bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= classes) {
                throw new IllegalArgumentException(name + ": label " + (labels[i] & 0xFF) + " of image " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Labeled<ByteImage> get(int index) {
        Objects.checkIndex(index, labels.length);
        int n = channels * height * width;
        byte[] image = Arrays.copyOfRange(pixels, index * n, index * n + n);
        return new Labeled<>(new ByteImage(image, channels, height, width), labels[index] & 0xFF);
    }

    public int label(int index) {
        return labels[index] & 0xFF;
    }

    public String name() {
        return name;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int classes() {
        return classes;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images " + channels + "x" + height + "x" + width + ", " + classes
                + " classes)";
    }
}
