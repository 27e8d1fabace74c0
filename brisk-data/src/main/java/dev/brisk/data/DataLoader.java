package dev.brisk.data;

import dev.brisk.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns a {@link Dataset} into a stream of {@link Batch}es: per-epoch sampler order, per-sample transforms,
 * collation, optional background workers with bounded prefetch, resumable position and stall accounting.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.create(train, Labeled.inputs(augment), Collate.images(),
 *         LoaderConfig.of(128, seed).withWorkers(2))) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         for (Batch b : loader.epoch(epoch)) { ... }
 *     }
 * }
 * }</pre>
 *
 * <h2>Implementation overview</h2>
 *
 * Batch {@code k} of epoch {@code e} is a pure function of {@code (seed, e, k)}: its indices are the k-th slice of
 * the sampler's order for epoch e, each sample's transform draws from an {@link Rng} seeded by
 * {@code (seed, e, position, index)} and the collation (and any mixup) from one seeded by {@code (seed, e, k)}.
 * So it does not matter which thread builds a batch, or when; and resuming at {@code (e, k)} replays exactly.
 *
 * <p>One {@code Run} per started epoch holds two counters under {@code lock}: {@code next}, the lowest batch
 * not yet claimed by a worker, and {@code consumed}, the batch the training thread takes next. A worker claims
 * batch {@code next} only while {@code next < consumed + prefetch}, builds it outside the lock, and files the
 * outcome (batch or exception) under its index in {@code ready}. The training thread waits until
 * {@code ready} holds {@code consumed}, then removes it. Invariants: at most {@code prefetch} batches are claimed
 * but not consumed (that bounds memory), and delivery is strictly in batch order whatever the number of workers
 * (the map is a reorder buffer). Starting another epoch replaces the run; workers drop outcomes for a run that
 * is no longer current. A worker's exception is delivered in order, like a batch, and rethrown on the training
 * thread as a {@link DataLoaderException} with the original cause; the loader then closes itself. Workers are
 * daemon threads named {@code brisk-data-N}, separate from the compute pool; {@link #close()} interrupts and
 * joins them. With 0 workers batches are built on the training thread, the same way.
 */
public final class DataLoader implements AutoCloseable {

    /** Builds one batch from its dataset indices; a pure function of its arguments. */
    @FunctionalInterface
    private interface BatchMaker {
        Batch make(int[] indices, int epoch, int batch, int firstPosition);
    }

    private record Outcome(Batch batch, Throwable failure, String thread) {}

    private static final class Run {
        final int epoch;
        final int[] order;
        final int batchCount;
        final Map<Integer, Outcome> ready = new HashMap<>();
        int next;
        int consumed;

        Run(int epoch, int[] order, int batchCount, int start) {
            this.epoch = epoch;
            this.order = order;
            this.batchCount = batchCount;
            this.next = start;
            this.consumed = start;
        }
    }

    private final int datasetSize;
    private final BatchMaker maker;
    private final LoaderConfig config;
    private final List<Thread> threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // guarded by lock
    private Run run;
    private boolean closed;
    private String closedReason = "the loader was closed";
    private LoaderPosition position = new LoaderPosition(0, 0);
    private long batches, samples, waitNanos, firstRequest = -1, lastDelivery;

    private DataLoader(int datasetSize, BatchMaker maker, LoaderConfig config) {
        this.datasetSize = datasetSize;
        this.maker = maker;
        this.config = config;
        List<Thread> started = new ArrayList<>(config.workers());
        Thread.Builder builder = Thread.ofPlatform().daemon().name("brisk-data-", 0);
        for (int i = 0; i < config.workers(); i++) {
            started.add(builder.start(this::work));
        }
        this.threads = List.copyOf(started);
    }

    /**
     * A loader over {@code dataset} that applies {@code transform} to each sample (seeded per sample) and stacks
     * them with {@code collate}. {@code dataset.get} must be safe to call from several threads.
     */
    public static <S, T> DataLoader create(Dataset<S> dataset, Transform<? super S, ? extends T> transform,
            Collate<T> collate, LoaderConfig config) {
        long seed = config.seed();
        BatchMaker maker = (indices, epoch, batch, firstPosition) -> {
            List<T> list = new ArrayList<>(indices.length);
            for (int j = 0; j < indices.length; j++) {
                Rng rng = new Rng(Seeds.derive(seed, Seeds.SAMPLE, epoch, firstPosition + j, indices[j]));
                list.add(transform.apply(dataset.get(indices[j]), rng));
            }
            return collate.collate(list, indices, new Rng(Seeds.derive(seed, Seeds.BATCH, epoch, batch)));
        };
        return new DataLoader(dataset.size(), maker, config);
    }

    /** A loader without per-sample transforms. */
    public static <T> DataLoader create(Dataset<T> dataset, Collate<T> collate, LoaderConfig config) {
        return create(dataset, Transform.<T>identity(), collate, config);
    }

    public LoaderConfig config() {
        return config;
    }

    /** Batches in every epoch (the sampler's length divided by the batch size, rounded per drop-last). */
    public int batchesPerEpoch() {
        return batchCount(config.sampler().indices(datasetSize, config.seed(), 0).length);
    }

    /** The batches of {@code epoch}, from the first. Starting an iteration abandons any epoch in progress. */
    public Iterable<Batch> epoch(int epoch) {
        return from(new LoaderPosition(epoch, 0));
    }

    /** The batches of {@code start.epoch()} from batch {@code start.batch()} on: exactly what an uninterrupted
     * run would have delivered from there. */
    public Iterable<Batch> from(LoaderPosition start) {
        return () -> new EpochIterator(begin(start));
    }

    /** The next batch this loader will deliver; save it in checkpoints and pass it to {@link #from}. */
    public LoaderPosition position() {
        lock.lock();
        try {
            return position;
        } finally {
            lock.unlock();
        }
    }

    /** Counters since the first batch request (or the last {@link #resetStats()}). */
    public LoaderStats stats() {
        lock.lock();
        try {
            return new LoaderStats(batches, samples, waitNanos, firstRequest < 0 ? 0 : lastDelivery - firstRequest);
        } finally {
            lock.unlock();
        }
    }

    public void resetStats() {
        lock.lock();
        try {
            batches = samples = waitNanos = lastDelivery = 0;
            firstRequest = -1;
        } finally {
            lock.unlock();
        }
    }

    /** Stops and joins the worker threads; idempotent. Iterators of this loader then fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            run = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- epochs ---------------------------------------------------------------------------------------------

    private int batchCount(int samples) {
        return config.dropLast() ? samples / config.batchSize()
                : (samples + config.batchSize() - 1) / config.batchSize();
    }

    private Run begin(LoaderPosition start) {
        int[] order = config.sampler().indices(datasetSize, config.seed(), start.epoch());
        for (int i : order) {
            if (i < 0 || i >= datasetSize) {
                throw new IllegalStateException(config.sampler() + " produced index " + i + " for a dataset of "
                        + datasetSize + " samples — the sampler was built for a different dataset");
            }
        }
        int count = batchCount(order.length);
        if (start.batch() > count) {
            throw new IllegalArgumentException("cannot resume at batch " + start.batch() + " of epoch "
                    + start.epoch() + ": an epoch has " + count + " batches — was the checkpoint written with a "
                    + "different batch size, sampler or dataset?");
        }
        Run r = new Run(start.epoch(), order, count, start.batch());
        lock.lock();
        try {
            ensureOpen();
            run = r;
            position = normalize(r, start.batch());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return r;
    }

    private static LoaderPosition normalize(Run r, int batch) {
        return batch >= r.batchCount ? new LoaderPosition(r.epoch + 1, 0) : new LoaderPosition(r.epoch, batch);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("data loader is closed: " + closedReason);
        }
    }

    private int[] indicesOf(Run r, int batch) {
        int from = batch * config.batchSize();
        return Arrays.copyOfRange(r.order, from, Math.min(r.order.length, from + config.batchSize()));
    }

    private Outcome produce(Run r, int batch) {
        try {
            int[] indices = indicesOf(r, batch);
            return new Outcome(maker.make(indices, r.epoch, batch, batch * config.batchSize()), null,
                    Thread.currentThread().getName());
        } catch (Throwable t) {
            return new Outcome(null, t, Thread.currentThread().getName());
        }
    }

    // ---- workers --------------------------------------------------------------------------------------------

    private void work() {
        while (true) {
            Run r;
            int k;
            lock.lock();
            try {
                while (!closed && !hasWork(run)) {
                    changed.await();
                }
                if (closed) {
                    return;
                }
                r = run;
                k = r.next++;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Outcome o = produce(r, k);
            lock.lock();
            try {
                if (r == run) {
                    r.ready.put(k, o);
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean hasWork(Run r) {
        return r != null && r.next < r.batchCount && r.next < r.consumed + config.prefetch();
    }

    // ---- the training thread --------------------------------------------------------------------------------

    private final class EpochIterator implements Iterator<Batch> {
        private final Run r;

        EpochIterator(Run r) {
            this.r = r;
        }

        @Override
        public boolean hasNext() {
            return r.consumed < r.batchCount;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + r.epoch + " has only " + r.batchCount + " batches");
            }
            long t0 = System.nanoTime();
            int k = r.consumed;
            // with no workers the batch is built right here, outside the lock, like a worker would
            Outcome o = threads.isEmpty() && run == r ? produce(r, k) : null;
            lock.lock();
            try {
                ensureOpen();
                if (run != r) {
                    throw new IllegalStateException("this iterator over epoch " + r.epoch + " was abandoned: a later "
                            + "call to epoch() or from() on the same loader started another iteration");
                }
                if (firstRequest < 0) {
                    firstRequest = t0;
                }
                if (o == null) {
                    while (!closed && !r.ready.containsKey(k)) {
                        changed.awaitUninterruptibly();
                    }
                    ensureOpen();
                    o = r.ready.remove(k);
                }
                r.consumed = k + 1;
                changed.signalAll();
                long t1 = System.nanoTime();
                waitNanos += t1 - t0;
                lastDelivery = t1;
                if (o.failure() == null) {
                    batches++;
                    samples += o.batch().size();
                    position = normalize(r, k + 1);
                }
            } finally {
                lock.unlock();
            }
            if (o.failure() != null) {
                fail(k, o);
            }
            return o.batch();
        }

        private void fail(int k, Outcome o) {
            int[] indices = indicesOf(r, k);
            String message = "building batch " + k + " of epoch " + r.epoch + " (dataset indices "
                    + (indices.length > 8 ? Arrays.toString(Arrays.copyOf(indices, 8)).replace("]", ", ...]")
                            : Arrays.toString(indices))
                    + ") failed on thread " + o.thread() + ": " + o.failure();
            lock.lock();
            try {
                closedReason = message;
            } finally {
                lock.unlock();
            }
            close();
            throw new DataLoaderException(message, new LoaderPosition(r.epoch, k), o.failure());
        }
    }
}
