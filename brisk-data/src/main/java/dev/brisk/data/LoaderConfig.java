package dev.brisk.data;

import dev.brisk.data.sampler.Sampler;
import java.util.Objects;

/**
 * How a {@link DataLoader} batches: {@code batchSize} samples per batch, {@code dropLast} drops a final partial
 * batch, {@code sampler} picks each epoch's order from {@code seed}, {@code workers} background threads (0 = build
 * batches on the calling thread) keep up to {@code prefetch} batches ready or in progress.
 */
public record LoaderConfig(int batchSize, boolean dropLast, Sampler sampler, long seed, int workers, int prefetch) {

    public static final int MAX_WORKERS = 256;

    public LoaderConfig {
        Objects.requireNonNull(sampler, "sampler");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        if (workers < 0 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 0.." + MAX_WORKERS
                    + " (0 builds batches on the training thread), got " + workers);
        }
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be ≥ 1 batch, got " + prefetch
                    + " — use at least the number of workers, 2× is typical");
        }
    }

    /** Shuffled every epoch, partial last batch kept, no workers, prefetch 2. */
    public static LoaderConfig of(int batchSize, long seed) {
        return new LoaderConfig(batchSize, false, Sampler.shuffled(), seed, 0, 2);
    }

    /** {@code workers} threads with a prefetch of 2 batches per worker. */
    public LoaderConfig withWorkers(int workers) {
        return new LoaderConfig(batchSize, dropLast, sampler, seed, workers, Math.max(prefetch, 2 * workers));
    }

    public LoaderConfig withPrefetch(int prefetch) {
        return new LoaderConfig(batchSize, dropLast, sampler, seed, workers, prefetch);
    }

    public LoaderConfig withSampler(Sampler sampler) {
        return new LoaderConfig(batchSize, dropLast, sampler, seed, workers, prefetch);
    }

    public LoaderConfig withDropLast(boolean dropLast) {
        return new LoaderConfig(batchSize, dropLast, sampler, seed, workers, prefetch);
    }
}
