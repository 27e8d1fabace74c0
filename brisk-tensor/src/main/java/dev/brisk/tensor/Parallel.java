package dev.brisk.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one intra-op thread pool. Every parallel kernel runs through {@link #forEach}.
 *
 * <p>Implementation overview. {@code threads - 1} daemon workers plus the calling thread share one job at a
 * time: a body and a task count. Participants claim task indices from an atomic counter until none are left,
 * then the caller waits for the last claimed task to finish. Waking a parked thread can take 50 µs to over a
 * millisecond on a VM, which would make two threads slower than one for the sub-millisecond ops of a training
 * step, so idle workers spin (with {@link Thread#onSpinWait}) for {@link #SPIN_NANOS} before parking, as
 * OpenMP and OpenBLAS runtimes do. A job submitted while another is running (another user thread, or a
 * nested call from inside a task) runs serially on its caller: the pool never oversubscribes the cores and
 * never deadlocks on itself.
 */
public final class Parallel {

    /** How long an idle worker spins before parking; long enough to bridge the gaps between the ops of a step. */
    static final long SPIN_NANOS = 2_000_000L;

    private static volatile Pool pool = new Pool(defaultThreads());

    private Parallel() {
    }

    /** Threads used by parallel kernels, including the caller. */
    public static int threads() {
        return pool.size;
    }

    /** Resizes the pool ({@code --threads}); the default is {@code BRISK_THREADS} or the number of cores. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads == pool.size) {
            return;
        }
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, spread over the pool, and returns
     * when all are done. The first exception thrown by a task is rethrown here (remaining tasks still run).
     */
    public static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        Pool p = pool;
        if (tasks == 1 || p.size == 1 || !p.busy.compareAndSet(false, true)) {
            runSerially(tasks, body);
            return;
        }
        try {
            p.run(tasks, body);
        } finally {
            p.busy.set(false);
        }
    }

    /** Same contract as the pool: every task runs, the first failure is rethrown at the end. */
    private static void runSerially(int tasks, IntConsumer body) {
        RuntimeException firstRuntime = null;
        Error firstError = null;
        for (int i = 0; i < tasks; i++) {
            try {
                body.accept(i);
            } catch (RuntimeException e) {
                if (firstRuntime == null && firstError == null) {
                    firstRuntime = e;
                }
            } catch (Error e) {
                if (firstRuntime == null && firstError == null) {
                    firstError = e;
                }
            }
        }
        if (firstError != null) {
            throw firstError;
        }
        if (firstRuntime != null) {
            throw firstRuntime;
        }
    }

    private static int defaultThreads() {
        String env = System.getenv("BRISK_THREADS");
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count; the CLI validates --threads itself
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static final class Pool {
        final int size;
        final AtomicBoolean busy = new AtomicBoolean(); // not reentrant: a nested call runs serially
        final Thread[] workers;
        volatile Job job;            // the current job; a new object per submission
        volatile boolean stopped;

        Pool(int size) {
            this.size = size;
            this.workers = new Thread[size - 1];
            for (int i = 0; i < workers.length; i++) {
                Thread t = new Thread(this::workLoop, "brisk-intraop-" + (i + 1));
                t.setDaemon(true);
                workers[i] = t;
                t.start();
            }
        }

        void run(int tasks, IntConsumer body) {
            Job j = new Job(tasks, body);
            job = j;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            j.work();
            while (j.done.get() < tasks) {
                Thread.onSpinWait();
            }
            job = null;
            Throwable t = j.failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }

        void workLoop() {
            Job last = null;
            while (!stopped) {
                Job j = job;
                if (j != null && j != last) {
                    last = j;
                    j.work();
                    continue;
                }
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while ((j = job) == null || j == last) {
                    if (stopped) {
                        return;
                    }
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.parkNanos(this, 50_000_000L);
                    }
                }
            }
        }

        void shutdown() {
            stopped = true;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        void work() {
            int i;
            while ((i = next.getAndIncrement()) < tasks) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }
}
