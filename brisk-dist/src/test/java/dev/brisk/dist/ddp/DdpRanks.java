package dev.brisk.dist.ddp;

import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.TcpGroup;
import dev.brisk.dist.TcpStore;
import dev.brisk.dist.ThreadGroup;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Test support for DDP: groups whose ranks are threads of this JVM (shared memory or TCP), and bounded runs. */
final class DdpRanks {

    static final String TOKEN = "ddp-test-token-0123456789";
    static final Duration TIMEOUT = Duration.ofSeconds(10); // below every run bound, so a failure surfaces

    enum Impl { THREAD, TCP }

    private DdpRanks() {
    }

    static List<ProcessGroup> groups(Impl impl, int p) {
        if (impl == Impl.THREAD) {
            return new ArrayList<>(ThreadGroup.create(p, TIMEOUT));
        }
        String job = "ddp-" + System.nanoTime();
        TcpStore store = TcpStore.start(InetAddress.getLoopbackAddress(), 0, TOKEN, job, 0, p);
        List<Object> made = run(p, r -> TcpGroup.connect(new DistEnv("127.0.0.1", store.port(), r, p, r, TOKEN, TIMEOUT,
                job, 0, null), r == 0 ? store : null), 30);
        List<ProcessGroup> out = new ArrayList<>();
        for (Object o : made) {
            if (o instanceof Throwable t) {
                throw new AssertionError("group formation failed", t);
            }
            out.add((ProcessGroup) o);
        }
        return out;
    }

    /** Runs {@code body(rank)} on {@code p} threads; each rank's result or the Throwable it threw. Bounded. */
    static List<Object> run(int p, Function<Integer, Object> body, int seconds) {
        ExecutorService pool = Executors.newFixedThreadPool(p);
        try {
            List<Future<Object>> fs = new ArrayList<>();
            for (int r = 0; r < p; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try {
                        return body.apply(rank);
                    } catch (Throwable t) {
                        return t;
                    }
                }));
            }
            List<Object> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (Future<Object> f : fs) {
                try {
                    out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    fail("a rank hung for more than " + seconds + " s");
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Fails with the first rank's Throwable, if any. */
    static List<Object> ok(List<Object> results) {
        AssertionError failed = null;
        for (int r = 0; r < results.size(); r++) {
            if (results.get(r) instanceof Throwable t) {
                if (failed == null) {
                    failed = new AssertionError("rank " + r + " failed: " + t, t);
                } else {
                    failed.addSuppressed(new AssertionError("rank " + r + " failed: " + t, t));
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        return results;
    }

    static void closeAll(List<ProcessGroup> groups) {
        run(groups.size(), r -> {
            groups.get(r).close();
            return null;
        }, 30);
    }
}
