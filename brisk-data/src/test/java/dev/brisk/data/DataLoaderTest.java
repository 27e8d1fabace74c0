package dev.brisk.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.format.ImageDataset;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.data.transform.Mixup;
import dev.brisk.data.transform.RandomErasing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    static final ImageDataset DATA = LoaderThroughput.synthetic(200, 7);

    /** A batch as comparable values: indices, then input floats, then targets. */
    record Flat(List<Integer> indices, List<Float> inputs, List<Float> targets) {
        static Flat of(Batch b) {
            List<Float> x = new ArrayList<>(), y = new ArrayList<>();
            for (float v : b.inputs().toFloatArray()) {
                x.add(v);
            }
            for (float v : b.targets().toFloatArray()) {
                y.add(v);
            }
            return new Flat(Arrays.stream(b.indices()).boxed().toList(), x, y);
        }
    }

    static List<Flat> collect(DataLoader loader, Iterable<Batch> batches) {
        List<Flat> out = new ArrayList<>();
        for (Batch b : batches) {
            out.add(Flat.of(b));
        }
        return out;
    }

    static DataLoader augmented(LoaderConfig config) {
        Transform<Labeled<ByteImage>, Labeled<Image>> t = LoaderThroughput.augmentation()
                .andThen(Labeled.inputs(new RandomErasing(0.5, 0.05, 0.3, 0.5, 2, 0f)));
        return DataLoader.create(DATA, t, Collate.images().andThen(new Mixup(0.4, 10)), config);
    }

    static DataLoader plain(LoaderConfig config) {
        return DataLoader.create(DATA, LoaderThroughput.augmentation(), Collate.images(), config);
    }

    static List<Thread> dataThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("brisk-data") && t.isAlive()).toList();
    }

    @AfterEach
    void noThreadsLeft() {
        assertEquals(List.of(), dataThreads());
    }

    @Test
    void sameBatchesForZeroOneAndThreeWorkers() {
        List<List<Flat>> runs = new ArrayList<>();
        for (int workers : new int[] {0, 1, 3}) {
            LoaderConfig config = LoaderConfig.of(32, 99).withWorkers(workers);
            try (DataLoader loader = augmented(config)) {
                List<Flat> epochs = new ArrayList<>(collect(loader, loader.epoch(0)));
                epochs.addAll(collect(loader, loader.epoch(1)));
                runs.add(epochs);
            }
        }
        assertEquals(14, runs.get(0).size()); // 2 epochs × ⌈200/32⌉
        assertEquals(runs.get(0), runs.get(1));
        assertEquals(runs.get(0), runs.get(2));
    }

    @Test
    void shufflingIsDeterministicPerEpochAndDiffersBetweenEpochs() {
        List<Flat> e0;
        try (DataLoader a = plain(LoaderConfig.of(50, 3));
                DataLoader b = plain(LoaderConfig.of(50, 3))) {
            e0 = collect(a, a.epoch(0));
            List<Flat> e1 = collect(a, a.epoch(1));
            assertEquals(e0, collect(b, b.epoch(0)));
            assertEquals(e1, collect(b, b.epoch(1)));
            assertNotEquals(e0.getFirst().indices(), e1.getFirst().indices());
            Set<Integer> seen = new HashSet<>();
            e0.forEach(f -> seen.addAll(f.indices()));
            assertEquals(200, seen.size()); // a permutation: every sample once
        }
        try (DataLoader other = plain(LoaderConfig.of(50, 4))) {
            assertNotEquals(collect(other, other.epoch(0)).getFirst().indices(), e0.getFirst().indices());
        }
    }

    @Test
    void dropLast() {
        LoaderConfig keep = LoaderConfig.of(64, 1).withSampler(Sampler.sequential());
        try (DataLoader k = plain(keep);
                DataLoader d = plain(keep.withDropLast(true))) {
            List<Flat> all = collect(k, k.epoch(0)), dropped = collect(d, d.epoch(0));
            assertEquals(4, all.size());
            assertEquals(8, all.getLast().indices().size()); // 200 = 3·64 + 8
            assertEquals(3, dropped.size());
            assertEquals(3, d.batchesPerEpoch());
            assertEquals(all.subList(0, 3), dropped);
            assertEquals(IntStream.range(0, 64).boxed().toList(), all.getFirst().indices());
        }
    }

    @Test
    void resumeGivesExactlyTheRemainingBatches() {
        LoaderConfig config = LoaderConfig.of(16, 5).withWorkers(2);
        List<Flat> full;
        LoaderPosition saved;
        try (DataLoader loader = augmented(config)) {
            full = collect(loader, loader.epoch(2));
            assertEquals(new LoaderPosition(3, 0), loader.position());
            int taken = 0;
            for (Batch b : loader.epoch(2)) {
                if (++taken == 5) {
                    break;
                }
            }
            saved = loader.position();
        }
        assertEquals(new LoaderPosition(2, 5), saved);
        try (DataLoader resumed = augmented(config.withWorkers(1))) {
            assertEquals(full.subList(5, full.size()), collect(resumed, resumed.from(saved)));
        }
        try (DataLoader loader = augmented(config)) {
            assertThrows(IllegalArgumentException.class, () -> loader.from(new LoaderPosition(0, 99)).iterator());
        }
    }

    @Test
    void workerExceptionSurfacesWithCauseAndStopsThreads() {
        Dataset<Labeled<ByteImage>> broken = new Dataset<>() {
            public int size() {
                return DATA.size();
            }

            public Labeled<ByteImage> get(int index) {
                if (index == 77) {
                    throw new IllegalStateException("sample 77 is corrupt");
                }
                return DATA.get(index);
            }
        };
        LoaderConfig config = LoaderConfig.of(10, 1).withSampler(Sampler.sequential()).withWorkers(3);
        DataLoader loader = DataLoader.create(broken, LoaderThroughput.augmentation(), Collate.images(), config);
        int delivered = 0;
        DataLoaderException e = null;
        try {
            for (Batch b : loader.epoch(0)) {
                delivered++;
            }
        } catch (DataLoaderException caught) {
            e = caught;
        }
        assertEquals(7, delivered); // batches 0..6 arrive in order before the failing batch 7
        assertTrue(e != null);
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertEquals("sample 77 is corrupt", e.getCause().getMessage());
        assertEquals(new LoaderPosition(0, 7), e.position());
        assertTrue(e.getMessage().contains("batch 7 of epoch 0"), e.getMessage());
        assertTrue(e.getMessage().contains("brisk-data-"), e.getMessage());
        assertEquals(List.of(), dataThreads()); // closed itself, without close()
        IllegalStateException after = assertThrows(IllegalStateException.class, () -> loader.epoch(1).iterator());
        assertTrue(after.getMessage().contains("sample 77 is corrupt"), after.getMessage());
        loader.close();
    }

    @Test
    void closeStopsWorkersEvenMidEpoch() {
        DataLoader loader = augmented(LoaderConfig.of(8, 1).withWorkers(3));
        assertEquals(3, dataThreads().size());
        loader.epoch(0).iterator().next();
        loader.close();
        assertEquals(List.of(), dataThreads());
        assertThrows(IllegalStateException.class, () -> loader.epoch(0).iterator());
    }

    @Test
    void prefetchIsBounded() throws InterruptedException {
        AtomicInteger gets = new AtomicInteger();
        Dataset<Labeled<ByteImage>> counting = new Dataset<>() {
            public int size() {
                return DATA.size();
            }

            public Labeled<ByteImage> get(int index) {
                gets.incrementAndGet();
                return DATA.get(index);
            }
        };
        LoaderConfig config = LoaderConfig.of(5, 1).withWorkers(2).withPrefetch(3);
        try (DataLoader loader = DataLoader.create(counting, LoaderThroughput.augmentation(), Collate.images(),
                config)) {
            var it = loader.epoch(0).iterator();
            it.next();
            Thread.sleep(300); // let the workers run ahead as far as they may
            assertEquals(5 * (1 + 3), gets.get()); // the consumed batch + 3 prefetched
        }
    }

    @Test
    void abandonedIteratorFailsClearly() {
        try (DataLoader loader = augmented(LoaderConfig.of(8, 1).withWorkers(1))) {
            var first = loader.epoch(0).iterator();
            first.next();
            var second = loader.epoch(1).iterator();
            second.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, first::next);
            assertTrue(e.getMessage().contains("abandoned"), e.getMessage());
        }
    }

    @Test
    void stallAccounting() {
        Transform<Labeled<ByteImage>, Labeled<ByteImage>> slow = (s, rng) -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return s;
        };
        try (DataLoader loader = DataLoader.create(DATA, slow.andThen(LoaderThroughput.augmentation()),
                Collate.images(), LoaderConfig.of(20, 1))) {
            collect(loader, loader.epoch(0));
            LoaderStats s = loader.stats();
            assertEquals(10, s.batches());
            assertEquals(200, s.samples());
            assertTrue(s.waitNanos() >= 200 * 1_000_000L, s.toString()); // 0 workers: all the work is stall
            assertTrue(s.stallFraction() > 0.5, s.toString());
            loader.resetStats();
            assertEquals(0, loader.stats().batches());
        }
    }

    @Test
    void batchesAreWellFormed() {
        try (DataLoader loader = augmented(LoaderConfig.of(32, 1))) {
            Batch b = loader.epoch(0).iterator().next();
            assertArrayEquals(new int[] {32, 1, 28, 28}, b.inputs().shape());
            assertArrayEquals(new int[] {32, 10}, b.targets().shape()); // mixup: soft labels
            float[] y = b.targets().toFloatArray();
            for (int i = 0; i < 32; i++) {
                float sum = 0;
                for (int k = 0; k < 10; k++) {
                    sum += y[i * 10 + k];
                }
                assertEquals(1f, sum, 1e-5f);
            }
            assertFalse(Arrays.equals(b.inputs().toFloatArray(), new float[32 * 784]));
        }
    }

    @Test
    void tensorDatasetThroughTheLoader() {
        var inputs = dev.brisk.tensor.Tensor.arange(12).reshape(6, 2);
        var targets = dev.brisk.tensor.Tensor.ofLongs(new long[] {0, 1, 2, 3, 4, 5}, 6);
        TensorDataset ds = new TensorDataset(inputs, targets);
        try (DataLoader loader = DataLoader.create(ds, TensorDataset.collate(),
                LoaderConfig.of(4, 1).withSampler(Sampler.sequential()))) {
            var it = loader.epoch(0).iterator();
            Batch first = it.next();
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, first.inputs().toFloatArray());
            assertArrayEquals(new long[] {0, 1, 2, 3}, first.targets().toLongArray());
            assertSame(dev.brisk.tensor.DType.I64, first.targets().dtype());
            assertArrayEquals(new int[] {2, 2}, it.next().inputs().shape());
        }
    }
}
