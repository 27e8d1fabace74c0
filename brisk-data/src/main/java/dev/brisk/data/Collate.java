package dev.brisk.data;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.List;

/**
 * Stacks the transformed samples of one batch into a {@link Batch}. {@code indices} are the samples' dataset
 * indices; {@code rng} is seeded per batch (for {@link BatchTransform}s such as mixup).
 */
@FunctionalInterface
public interface Collate<T> {

    Batch collate(List<T> samples, int[] indices, Rng rng);

    /** This collation followed by a batch transform. */
    default Collate<T> andThen(BatchTransform next) {
        return (samples, indices, rng) -> next.apply(collate(samples, indices, rng), rng);
    }

    /** Labeled float images → inputs (N, C, H, W) F32, targets (N) I64. All images must share one shape. */
    static Collate<Labeled<Image>> images() {
        return (samples, indices, rng) -> {
            Image first = samples.getFirst().input();
            int c = first.channels(), h = first.height(), w = first.width(), size = c * h * w;
            float[] x = new float[samples.size() * size];
            long[] y = new long[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                Image im = samples.get(i).input();
                if (im.channels() != c || im.height() != h || im.width() != w) {
                    throw new IllegalArgumentException("cannot stack images of different shapes: sample " + i
                            + " of the batch (dataset index " + indices[i] + ") is " + im.channels() + "x"
                            + im.height() + "x" + im.width() + " but sample 0 is " + c + "x" + h + "x" + w
                            + " — add a RandomCrop so all images share one size");
                }
                System.arraycopy(im.data(), 0, x, i * size, size);
                y[i] = samples.get(i).label();
            }
            return new Batch(Tensor.wrap(DType.F32, x, samples.size(), c, h, w),
                    Tensor.wrap(DType.I64, y, samples.size()), indices);
        };
    }

    /** Labeled feature vectors (CSV rows) → inputs (N, F) F32, targets (N) I64. */
    static Collate<Labeled<float[]>> features() {
        return (samples, indices, rng) -> {
            int f = samples.getFirst().input().length;
            float[] x = new float[samples.size() * f];
            long[] y = new long[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                float[] row = samples.get(i).input();
                if (row.length != f) {
                    throw new IllegalArgumentException("cannot stack feature vectors of lengths " + f + " and "
                            + row.length + " (dataset index " + indices[i] + ")");
                }
                System.arraycopy(row, 0, x, i * f, f);
                y[i] = samples.get(i).label();
            }
            return new Batch(Tensor.wrap(DType.F32, x, samples.size(), f), Tensor.wrap(DType.I64, y, samples.size()),
                    indices);
        };
    }

    /** Token windows of T+1 bytes → inputs (N, T) I64 and targets (N, T) I64 shifted by one. */
    static Collate<TokenWindow> tokens() {
        return (samples, indices, rng) -> {
            int t = samples.getFirst().length();
            long[] x = new long[samples.size() * t];
            long[] y = new long[samples.size() * t];
            for (int i = 0; i < samples.size(); i++) {
                byte[] b = samples.get(i).bytes();
                if (b.length != t + 1) {
                    throw new IllegalArgumentException("cannot stack token windows of lengths " + t + " and "
                            + (b.length - 1) + " (dataset index " + indices[i] + ")");
                }
                for (int j = 0; j < t; j++) {
                    x[i * t + j] = b[j] & 0xFF;
                    y[i * t + j] = b[j + 1] & 0xFF;
                }
            }
            return new Batch(Tensor.wrap(DType.I64, x, samples.size(), t), Tensor.wrap(DType.I64, y, samples.size(), t),
                    indices);
        };
    }
}
