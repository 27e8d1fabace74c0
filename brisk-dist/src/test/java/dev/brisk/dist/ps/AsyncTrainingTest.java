package dev.brisk.dist.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.DistributedException;
import dev.brisk.dist.Ranks;
import dev.brisk.dist.ThreadGroup;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous SGD against synchronous SGD at the same number of samples: a parameter server (thread and TCP
 * links, one and two servers, bounded staleness) and Hogwild reach an accuracy at most a point below plain
 * SGD on the generated problem; the staleness bound holds; a worker that stops pushing makes pulls time out; a
 * failed worker leaves no server running.
 */
class AsyncTrainingTest {

    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final int STEPS = 600;
    private static final float LR = 0.1f;
    private static final Blobs DATA = new Blobs(STEPS * Blobs.BATCH / 2, 2000);

    /** Linear decay to zero by update count, the same for every method, so final iterates are comparable. */
    private static double decay(long update) {
        return LR * Math.max(0, 1 - update / (double) STEPS);
    }

    private static double syncCache = Double.NaN;

    /** Computed once for the tests that compare against it. */
    private static synchronized double syncAccuracy() {
        if (Double.isNaN(syncCache)) {
            syncCache = DATA.accuracy(DATA.synchronous(STEPS, AsyncTrainingTest::decay));
        }
        return syncCache;
    }

    @Test
    void parameterServerMatchesSynchronousTraining() {
        double sync = syncAccuracy();
        assertTrue(sync > 50, "synchronous training did not learn: " + sync);
        int workers = 2;
        float[] init = FlatParams.values(Blobs.mlp());
        // worker w takes batches w, w+2, w+4, ...: together the same batches as the synchronous run
        AsyncRun.Result r = AsyncRun.parameterServer(PsLinks.threads(2, workers, BOUND), init, STEPS / workers, 2,
                AsyncTrainingTest::decay, w -> DATA.gradient(s -> s * workers + w), BOUND);
        double async = DATA.accuracy(r.params());
        // one-sided: the runs are nondeterministic, and asynchrony may as well end a little better
        assertTrue(async >= sync - 1.0, "parameter server accuracy " + async + " vs synchronous " + sync);
        assertEquals(2L * STEPS, Arrays.stream(r.staleness()).sum(), "one histogram entry per push per server");
        assertTrue(r.maxClockLead() <= 2, "lead " + r.maxClockLead());
    }

    @Test
    void overTcpTheStalenessBoundHolds() {
        int workers = 3;
        float[] init = FlatParams.values(Blobs.mlp());
        AsyncRun.Result r = AsyncRun.parameterServer(PsLinks.loopbackTcp(1, workers, "ps-test-token-0123456789",
                BOUND), init, 40, 1, k -> LR, w -> {
                    AsyncRun.Gradient g = DATA.gradient(s -> s * workers + w);
                    // worker 0 is a straggler: the others must wait for it at lead 1
                    return (p, s, out) -> {
                        if (w == 0) {
                            sleep(2);
                        }
                        g.compute(p, s, out);
                    };
                }, BOUND);
        assertTrue(r.maxClockLead() <= 1, "lead " + r.maxClockLead());
        assertEquals(3L * 40, Arrays.stream(r.staleness()).sum());
        // between a worker's pull at clock c (every clock then >= c − s) and its push (every clock <= c + s + 1),
        // each other worker pushes at most 2s + 1 updates
        assertTrue(r.staleness().length - 1 <= (2 * 1 + 1) * (workers - 1), "staleness "
                + Arrays.toString(r.staleness()));
        assertTrue(DATA.accuracy(r.params()) > 30);
    }

    @Test
    void bulkSynchronousAtStalenessZero() {
        int workers = 2;
        AsyncRun.Result r = AsyncRun.parameterServer(PsLinks.threads(1, workers, BOUND),
                FlatParams.values(Blobs.mlp()), 30, 0, k -> LR, w -> DATA.gradient(s -> s * workers + w), BOUND);
        assertEquals(0, r.maxClockLead());
        // in lock-step, a push is stale by at most the other worker's one update of the same clock
        assertTrue(r.staleness().length <= workers, Arrays.toString(r.staleness()));
    }

    @Test
    void hogwildMatchesSynchronousTraining() {
        double sync = syncAccuracy();
        int threads = 2;
        AsyncRun.Result r = AsyncRun.hogwild(FlatParams.values(Blobs.mlp()), threads, STEPS / threads,
                AsyncTrainingTest::decay,
                w -> DATA.gradient(s -> s * threads + w), BOUND);
        double async = DATA.accuracy(r.params());
        assertTrue(async >= sync - 1.0, "Hogwild accuracy " + async + " vs synchronous " + sync);
    }

    /**
     * Worker 1 never pushes, so worker 0's pull at clock 1 (staleness 0) waits for it and fails after its link's
     * timeout, naming the straggler and the bound. Worker 1's own link times out later, so the failure seen is the
     * staleness wait, and the server reports it first even while its thread for worker 1 is still waiting.
     */
    @Test
    void aWorkerThatStopsPushingTimesOutTheOthers() {
        List<ThreadGroup> fastLink = ThreadGroup.create(2, Duration.ofMillis(500));
        List<ThreadGroup> idleLink = ThreadGroup.create(2, Duration.ofSeconds(3));
        ParameterServer server = new ParameterServer(new float[4], List.of(fastLink.get(0), idleLink.get(0)), 0,
                0.1f).start();
        PsWorker fast = new PsWorker(List.of(fastLink.get(1)), 4);
        try {
            float[] v = new float[4];
            fast.pull(v);
            fast.push(new float[4]);
            assertThrows(DistributedException.class, () -> fast.pull(v));
            // the server's thread for worker 1 is still in its 3 s receive: the stored cause comes first
            DistributedException e = assertThrows(DistributedException.class,
                    () -> server.awaitWorkers(Duration.ofMillis(1000)));
            assertTrue(e.getMessage().contains("staleness bound 0"), e.getMessage());
            assertTrue(e.getMessage().contains("for worker 1"), e.getMessage());
        } finally {
            server.close();
            fastLink.get(1).close();
            idleLink.get(1).close();
        }
    }

    /**
     * A worker that fails before it ever talks to the servers (its model cannot be built) leaves the server's thread
     * for it waiting on the link: the run must still close every server and link, so those threads end long before
     * the links' timeout rather than linger after the error is reported.
     */
    @Test
    void aFailedWorkerDoesNotLeaveServersRunning() {
        Set<Thread> before = serving();
        PsLinks links = PsLinks.loopbackTcp(2, 2, "ps-test-token-0123456789", Duration.ofSeconds(60));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AsyncRun.parameterServer(links,
                FlatParams.values(Blobs.mlp()), 5, 1, k -> LR, w -> {
                    if (w == 0) {
                        throw new IllegalStateException("no model for worker 0");
                    }
                    return DATA.gradient(s -> s * 2 + w);
                }, BOUND));
        assertEquals("no model for worker 0", e.getMessage());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // a third of the links' timeout
        Set<Thread> left = serving();
        left.removeAll(before);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
            left.removeIf(t -> !t.isAlive());
        }
        assertTrue(left.isEmpty(), "still serving: " + left);
    }

    private static Set<Thread> serving() {
        Set<Thread> out = new HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("brisk-ps-serve"))
                .forEach(out::add);
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
