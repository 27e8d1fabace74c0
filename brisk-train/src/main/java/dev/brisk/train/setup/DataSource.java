package dev.brisk.train.setup;

import dev.brisk.data.Collate;
import dev.brisk.data.DataLoader;
import dev.brisk.data.Dataset;
import dev.brisk.data.LoaderConfig;
import dev.brisk.data.Transform;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.train.config.DataConfig;
import java.util.Objects;

/**
 * One split of a run's data, ready for a {@link DataLoader}: the samples, the per-sample transform (decoding,
 * augmentation, normalisation), the collation (with mixup for training, if configured), and what the model needs
 * to know: one sample's input shape without the batch dim — (C, H, W) images, (F) features, (T) tokens — and the
 * number of classes (the vocabulary for text).
 *
 * @param <S> the dataset's sample type
 * @param <T> the transformed sample type that {@code collate} stacks
 */
public record DataSource<S, T>(String description, Datasets.Split split, Dataset<S> dataset,
                               Transform<? super S, ? extends T> transform, Collate<T> collate, int[] sampleShape,
                               int classes) {

    public DataSource {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(collate, "collate");
        sampleShape = sampleShape.clone();
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    public int size() {
        return dataset.size();
    }

    /**
     * The loader settings for this split: training shuffles every epoch and drops a partial last batch when
     * {@code data.drop_last}; the test split is read in order, whole. Both use {@code data.batch_size},
     * {@code data.workers} (prefetch 2 per worker) and {@code seed}.
     */
    public LoaderConfig loaderConfig(DataConfig data, long seed) {
        boolean train = split == Datasets.Split.TRAIN;
        return new LoaderConfig(data.batchSize(), train && data.dropLast(),
                train ? Sampler.shuffled() : Sampler.sequential(), seed, 0, 2).withWorkers(data.workers());
    }

    /** A loader over this split (close it when done: it owns the worker threads). */
    public DataLoader loader(LoaderConfig config) {
        return DataLoader.create(dataset, transform, collate, config);
    }

    @Override
    public String toString() {
        return description;
    }
}
