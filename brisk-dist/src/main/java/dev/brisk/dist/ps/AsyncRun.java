package dev.brisk.dist.ps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * Drivers for asynchronous SGD inside one JVM: a parameter server with its workers as threads (over thread or
 * loopback TCP links), and Hogwild threads. The model is abstracted as a gradient function on the flat parameter
 * vector, so the drivers serve tests and benchmarks alike.
 */
public final class AsyncRun {

    private AsyncRun() {
    }

    /** One worker's model: the gradient of its {@code step}-th mini-batch's loss at {@code params}. */
    @FunctionalInterface
    public interface Gradient {
        void compute(float[] params, long step, float[] gradOut);
    }

    /**
     * @param params       final parameters
     * @param staleness    {@code h[k]} pushes applied k updates after their pull (summed over servers)
     * @param maxClockLead largest lead over the slowest worker at which a pull was granted
     * @param seconds      wall time of the workers
     */
    public record Result(float[] params, long[] staleness, long maxClockLead, double seconds) {
    }

    /**
     * Runs {@code workers} workers for {@code steps} steps each against {@code servers} servers with staleness bound
     * {@code s} and SGD rate {@code lr}; {@code model.apply(w)} is worker w's gradient function.
     */
    public static Result parameterServer(PsLinks links, float[] init, int steps, int s,
                                         java.util.function.LongToDoubleFunction lr, IntFunction<Gradient> model,
                                         Duration bound) {
        int servers = links.serverSide().size();
        int workers = links.workerSide().size();
        int n = init.length;
        List<ParameterServer> ps = new ArrayList<>();
        try {
            for (int k = 0; k < servers; k++) {
                float[] shard = java.util.Arrays.copyOfRange(init, PsProtocol.start(n, servers, k),
                        PsProtocol.end(n, servers, k));
                ps.add(new ParameterServer(shard, links.serverSide().get(k), s, lr).start());
            }
            long t0 = System.nanoTime();
            try {
                runThreads(workers, w -> {
                    Gradient g = model.apply(w);
                    float[] params = new float[n];
                    float[] grad = new float[n];
                    try (PsWorker worker = new PsWorker(links.workerSide().get(w), n)) {
                        for (long i = 0; i < steps; i++) {
                            worker.pull(params);
                            g.compute(params, i, grad);
                            worker.push(grad);
                        }
                    }
                }, bound);
            } catch (RuntimeException e) {
                for (ParameterServer server : ps) { // a worker's error may only echo a server's
                    Throwable root = server.failure();
                    if (root != null && root != e) {
                        e.addSuppressed(root);
                    }
                }
                throw e;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            float[] out = new float[n];
            long[] hist = new long[0];
            long lead = 0;
            for (int k = 0; k < servers; k++) {
                ParameterServer server = ps.get(k);
                server.awaitWorkers(bound);
                float[] v = server.values();
                System.arraycopy(v, 0, out, PsProtocol.start(n, servers, k), v.length);
                hist = add(hist, server.stalenessHistogram());
                lead = Math.max(lead, server.maxClockLead());
            }
            return new Result(out, hist, lead, seconds);
        } finally {
            // workers' ends first: a server blocked reading from a worker then fails at once (idempotent closes)
            for (List<dev.brisk.dist.ProcessGroup> worker : links.workerSide()) {
                worker.forEach(dev.brisk.dist.ProcessGroup::close);
            }
            for (ParameterServer server : ps) {
                server.close();
            }
        }
    }

    /**
     * Hogwild: {@code threads} threads, {@code steps} each, updating shared parameters without locks; the k-th
     * update overall (counted atomically, k from 0) uses rate {@code lr.applyAsDouble(k)}.
     */
    public static Result hogwild(float[] init, int threads, int steps, java.util.function.LongToDoubleFunction lr,
                                 IntFunction<Gradient> model, Duration bound) {
        HogwildParams shared = new HogwildParams(init);
        java.util.concurrent.atomic.AtomicLong updates = new java.util.concurrent.atomic.AtomicLong();
        int n = init.length;
        long t0 = System.nanoTime();
        runThreads(threads, w -> {
            Gradient g = model.apply(w);
            float[] params = new float[n];
            float[] grad = new float[n];
            for (long i = 0; i < steps; i++) {
                shared.snapshot(params);
                g.compute(params, i, grad);
                shared.applyGradient(grad, (float) lr.applyAsDouble(updates.getAndIncrement()));
            }
        }, bound);
        return new Result(shared.values(), new long[0], 0, (System.nanoTime() - t0) / 1e9);
    }

    private static long[] add(long[] a, long[] b) {
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < a.length; i++) {
            out[i] += a[i];
        }
        for (int i = 0; i < b.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    private interface Body {
        void run(int index) throws Exception;
    }

    private static void runThreads(int count, Body body, Duration bound) {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                fs.add(pool.submit(() -> {
                    body.run(index);
                    return null;
                }));
            }
            long deadline = System.nanoTime() + bound.toNanos();
            for (Future<?> f : fs) {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("worker failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("workers did not finish within " + bound.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
