package dev.brisk.dist;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One rank's operations, run in issue order on one daemon thread. Every rank must issue the same collectives in
 * the same order; running them on one thread per rank keeps that order whatever thread issued them (a DDP
 * gradient hook, the training loop), and lets the caller overlap communication with compute.
 */
final class OpQueue {

    /** One queued operation; {@code body} throws {@link DistributedException} on failure. */
    private record Task(Runnable body, CompletableFuture<Void> done) {
    }

    private static final Task STOP = new Task(() -> { }, new CompletableFuture<>());

    private final LinkedBlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Duration timeout;
    private volatile boolean closed;

    OpQueue(String name, Duration timeout) {
        this.timeout = timeout;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::loop);
        thread.start();
    }

    /** Queues {@code body}; the returned handle completes when it has run. */
    Work submit(String operation, Runnable body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new DistributedException(operation, -1,
                    operation + ": the process group is closed"));
        } else {
            tasks.add(new Task(body, done));
        }
        return new Work(operation, done, timeout);
    }

    private void loop() {
        while (true) {
            Task t;
            try {
                t = tasks.take(); // idle wait for work; close() always enqueues STOP
            } catch (InterruptedException e) {
                return;
            }
            if (t == STOP) {
                return;
            }
            try {
                t.body.run();
                t.done.complete(null);
            } catch (Throwable e) {
                t.done.completeExceptionally(e);
            }
        }
    }

    /** Runs what is queued (each operation is bounded by its deadline), then stops the thread. */
    void close() {
        closed = true;
        tasks.add(STOP);
        try {
            thread.join(timeout.multipliedBy(2).plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    static long remainingMillis(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
