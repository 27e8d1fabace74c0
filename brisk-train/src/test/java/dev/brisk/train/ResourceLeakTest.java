package dev.brisk.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.data.TensorDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating and closing trainers and loaders many times in one JVM (a notebook, a sweep, a long-lived service)
 * leaks nothing: after each round the live threads and the open file descriptors are back to what they were, and
 * the heap after GC does not grow with the number of rounds.
 */
class ResourceLeakTest {

    private static final int ROUNDS = 25;

    @Test
    void trainersAndLoadersReleaseThreadsAndFiles(@TempDir Path dir) throws Exception {
        round(dir.resolve("warm-up")); // starts the intra-op pool and loads classes once
        Set<String> baseline = liveThreads();
        long fds = openFds();
        long heap = heapAfterGc();
        for (int r = 0; r < ROUNDS; r++) {
            round(dir.resolve("run" + r));
        }
        long deadline = System.nanoTime() + 10_000_000_000L; // joins are bounded; give stragglers time to exit
        while (!baseline.containsAll(liveThreads()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Set<String> extra = liveThreads();
        extra.removeAll(baseline);
        assertEquals(Set.of(), extra, "threads left behind by " + ROUNDS + " rounds of create/fit/close");
        assertEquals(fds, openFds(), "file descriptors left open by " + ROUNDS + " rounds");
        long grown = heapAfterGc() - heap;
        assertTrue(grown < 16L << 20, "heap after GC grew by " + grown / 1e6 + " MB over " + ROUNDS + " rounds");
    }

    /** A loader with two workers abandoned mid-epoch, then one trained for 6 steps with checkpoints. */
    private static void round(Path runDir) throws IOException {
        try (DataLoader abandoned = loader()) {
            var it = abandoned.epoch(0).iterator();
            it.next();
        }
        try (DataLoader train = loader()) {
            Trainer t = TrainerTest.trainer(TrainerTest.model(1, false), train, TrainerTest.plan(6, 1, 3), runDir);
            t.fit();
        }
        assertEquals(2, Checkpoints.list(runDir).size());
    }

    private static DataLoader loader() {
        LoaderConfig c = LoaderConfig.of(8, 3).withWorkers(2).withPrefetch(2).withDropLast(true)
                .withSampler(Sampler.shuffled());
        return DataLoader.create(TrainerTest.data(), TensorDataset.collate(), c);
    }

    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName() + "#" + t.threadId()).collect(Collectors.toSet());
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }
}
