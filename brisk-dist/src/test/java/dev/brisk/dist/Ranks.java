package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.fail;

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

/** Test support: groups whose ranks are threads of this JVM, and running one body per rank with a bound. */
public final class Ranks {

    static final String TOKEN = "test-token-0123456789abcdef";
    /** Where the shared-memory path can work (Linux); elsewhere SHM groups fall back to TCP. */
    static final boolean SHM_AVAILABLE = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/dev/shm"));

    /** Threads sharing memory; TCP groups with every payload on the sockets; TCP groups whose ring neighbours share memory. */
    public enum Impl { THREAD, TCP, SHM }

    private Ranks() {
    }

    static DistEnv env(int rank, int size, int port, Duration timeout, String job) {
        return new DistEnv("127.0.0.1", port, rank, size, rank, TOKEN, timeout, job, 0, null);
    }

    /** A started store on a free loopback port (rank 0 of a TCP group then owns it). */
    static TcpStore store(int size, String job) {
        return TcpStore.start(InetAddress.getLoopbackAddress(), 0, TOKEN, job, 0, size);
    }

    /** {@code p} ranks of a fresh group of the given kind. */
    public static List<ProcessGroup> groups(Impl impl, int p, Duration timeout) {
        if (impl == Impl.THREAD) {
            return new ArrayList<>(ThreadGroup.create(p, timeout));
        }
        String job = "test-" + System.nanoTime();
        TcpStore store = store(p, job);
        boolean shm = impl == Impl.SHM;
        List<Object> made = run(p, r -> TcpGroup.connect(env(r, p, store.port(), timeout, job), r == 0 ? store : null,
                shm), 30);
        List<ProcessGroup> out = new ArrayList<>();
        for (Object o : made) {
            if (o instanceof Throwable t) {
                throw new AssertionError("group formation failed", t);
            }
            out.add((ProcessGroup) o);
        }
        for (ProcessGroup g : out) {
            int expected = !shm || p == 1 || !SHM_AVAILABLE ? 0 : p == 2 ? 1 : 2;
            if (((TcpGroup) g).sharedMemoryPeers() != expected) {
                closeAll(out);
                throw new AssertionError(g + " exchanges data with " + ((TcpGroup) g).sharedMemoryPeers()
                        + " peers through shared memory, expected " + expected);
            }
        }
        return out;
    }

    /**
     * Runs {@code body(rank)} on {@code p} threads; returns each rank's result or the Throwable it threw. Fails
     * the test if a rank is still running after {@code seconds}.
     */
    public static List<Object> run(int p, Function<Integer, Object> body, int seconds) {
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

    static void closeAll(List<? extends ProcessGroup> groups) {
        run(groups.size(), r -> {
            groups.get(r).close();
            return null;
        }, 30);
    }

    /** Waits (bounded) until no thread named {@code brisk-dist-*} is alive; returns the survivors' names. */
    static List<String> leakedThreads() throws InterruptedException {
        List<String> alive = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            alive.clear();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && t.getName().startsWith("brisk-dist")) {
                    alive.add(t.getName());
                }
            }
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        return alive;
    }
}
