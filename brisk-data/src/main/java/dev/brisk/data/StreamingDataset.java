package dev.brisk.data;

import dev.brisk.tensor.Rng;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Gatherers;
import java.util.stream.Stream;

/**
 * A dataset read front to back (too large for memory, or without random access). {@link #stream(int)} yields
 * epoch {@code epoch}'s samples; close the stream to release files.
 */
public interface StreamingDataset<T> {

    Stream<T> stream(int epoch);

    /**
     * Epoch {@code epoch} as batches of {@code batchSize} (a partial last batch unless {@code dropLast}), built on
     * the calling thread; transforms and collation are seeded like the {@link DataLoader}'s, by (seed, epoch,
     * position). Indices in the batches are stream positions.
     */
    default <U> Stream<Batch> batches(int epoch, int batchSize, boolean dropLast, long seed,
            Transform<? super T, ? extends U> transform, Collate<U> collate) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        AtomicInteger position = new AtomicInteger();
        AtomicInteger batch = new AtomicInteger();
        return stream(epoch).sequential()
                .map(s -> {
                    int p = position.getAndIncrement();
                    U u = transform.apply(s, new Rng(Seeds.derive(seed, Seeds.SAMPLE, epoch, p, p)));
                    return Map.entry(p, u);
                })
                .gather(Gatherers.windowFixed(batchSize))
                .filter(w -> !dropLast || w.size() == batchSize)
                .map(w -> collateWindow(w, collate, new Rng(Seeds.derive(seed, Seeds.BATCH, epoch,
                        batch.getAndIncrement()))));
    }

    private static <U> Batch collateWindow(List<Map.Entry<Integer, U>> window, Collate<U> collate, Rng rng) {
        int[] indices = window.stream().mapToInt(Map.Entry::getKey).toArray();
        List<U> samples = window.stream().map(Map.Entry::getValue).toList();
        return collate.collate(samples, indices, rng);
    }
}
