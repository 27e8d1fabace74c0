package dev.brisk.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The intra-op pool: coverage, exceptions, nesting, concurrent callers and resizing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParallelTest {

    private int saved;

    @BeforeEach
    void save() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void everyIndexExactlyOnceForManyTaskCounts() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            assertEquals(threads, Parallel.threads());
            for (int tasks : new int[] {0, 1, 2, 3, 4, 7, 16, 31, 100, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(tasks, 1));
                for (int rep = 0; rep < 20; rep++) {
                    Parallel.forEach(tasks, i -> hits.incrementAndGet(i));
                }
                for (int i = 0; i < tasks; i++) {
                    assertEquals(20, hits.get(i), "threads=" + threads + " tasks=" + tasks + " index " + i);
                }
            }
        }
        AtomicInteger neg = new AtomicInteger();
        Parallel.forEach(-3, i -> neg.incrementAndGet());
        assertEquals(0, neg.get(), "negative task counts run nothing");
    }

    @Test
    void workIsActuallySpreadOverThreads() throws Exception {
        Parallel.setThreads(3);
        // each task waits until two distinct threads have been seen (or a timeout): proves the pool participates
        java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch two = new CountDownLatch(2);
        Parallel.forEach(3, i -> {
            if (seen.add(Thread.currentThread())) {
                two.countDown();
            }
            try {
                two.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(seen.size() >= 2, "only " + seen + " ran the tasks");
    }

    @Test
    void exceptionsPropagateAndThePoolRecovers() {
        Parallel.setThreads(3);
        AtomicInteger ran = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(50, i -> {
            ran.incrementAndGet();
            if (i == 17) {
                throw new IllegalStateException("task 17 failed");
            }
        }));
        assertEquals("task 17 failed", e.getMessage());
        assertThrows(AssertionError.class, () -> Parallel.forEach(8, i -> {
            throw new AssertionError("boom");
        }));
        // the pool still works afterwards
        AtomicIntegerArray hits = new AtomicIntegerArray(64);
        Parallel.forEach(64, hits::incrementAndGet);
        for (int i = 0; i < 64; i++) {
            assertEquals(1, hits.get(i));
        }
        // single-threaded pool: same behaviour
        Parallel.setThreads(1);
        assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(4, i -> {
            throw new IllegalArgumentException("x");
        }));
    }

    @Test
    void nestedCallsRunCorrectly() {
        Parallel.setThreads(3);
        int outer = 12;
        int inner = 37;
        AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
        Parallel.forEach(outer, o -> Parallel.forEach(inner, i -> hits.incrementAndGet(o * inner + i)));
        for (int i = 0; i < outer * inner; i++) {
            assertEquals(1, hits.get(i), "cell " + i);
        }
    }

    @Test
    void concurrentCallersAllComplete() throws Exception {
        Parallel.setThreads(3);
        int callers = 6;
        ExecutorService ex = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            java.util.List<Future<long[]>> fs = new java.util.ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int seed = c;
                fs.add(ex.submit(() -> {
                    start.await();
                    long[] sums = new long[50];
                    for (int rep = 0; rep < 50; rep++) {
                        int tasks = 10 + (seed * 7 + rep) % 90;
                        AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
                        Parallel.forEach(tasks, hits::incrementAndGet);
                        long s = 0;
                        for (int i = 0; i < tasks; i++) {
                            s += hits.get(i) == 1 ? 1 : 1_000_000;
                        }
                        sums[rep] = s - tasks;
                    }
                    return sums;
                }));
            }
            start.countDown();
            for (Future<long[]> f : fs) {
                for (long s : f.get(30, TimeUnit.SECONDS)) {
                    assertEquals(0, s, "some index ran zero or several times");
                }
            }
        } finally {
            ex.shutdownNow();
        }
        // and tensor ops from several threads at once agree with the serial result
        float[] a = TestSupport.uniform(1, 200 * 300, -1f, 1f);
        Tensor x = Tensor.of(a, 200, 300);
        float[] want = x.t().exp().toFloatArray();
        ExecutorService ex2 = Executors.newFixedThreadPool(4);
        try {
            java.util.List<Future<float[]>> fs = new java.util.ArrayList<>();
            for (int c = 0; c < 4; c++) {
                fs.add(ex2.submit(() -> x.t().exp().toFloatArray()));
            }
            for (Future<float[]> f : fs) {
                TestSupport.assertSameFloats(want, f.get(30, TimeUnit.SECONDS), "concurrent exp");
            }
        } finally {
            ex2.shutdownNow();
        }
    }

    @Test
    void setThreadsValidatesAndResizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(-2));
        Parallel.setThreads(4);
        assertEquals(4, Parallel.threads());
        Parallel.setThreads(4);
        assertEquals(4, Parallel.threads());
        Parallel.setThreads(1);
        assertEquals(1, Parallel.threads());
        Thread caller = Thread.currentThread();
        Parallel.forEach(5, i -> assertSame(caller, Thread.currentThread(), "a 1-thread pool runs on the caller"));
    }
}
