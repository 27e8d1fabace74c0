package dev.brisk.dist;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A handle on an asynchronous operation of a {@link ProcessGroup}. Operations of one group run one after another
 * in the order they were issued; the handle completes when this one has finished on this rank (its buffer may be
 * read and reused). An operation never runs longer than the group's timeout: past it, it fails and aborts the
 * group, so {@link #await()} cannot hang.
 */
public final class Work {

    private final String operation;
    private final CompletableFuture<Void> done;
    private final Duration bound;

    Work(String operation, CompletableFuture<Void> done, Duration bound) {
        this.operation = operation;
        this.done = done;
        this.bound = bound;
    }

    /** An operation that finished on the spot (world size 1, zero elements). */
    static Work completed(String operation) {
        return new Work(operation, CompletableFuture.completedFuture(null), Duration.ZERO);
    }

    /** What this is, e.g. {@code "allreduce #4 (f32×25000000 sum)"}; the sequence number is assigned at issue. */
    public String operation() {
        return operation;
    }

    public boolean isDone() {
        return done.isDone();
    }

    /**
     * Waits until the operation has finished; throws its {@link DistributedException} if it failed. The wait is
     * bounded: each queued operation has its own deadline, and this gives up (aborting nothing) after
     * {@code 2 × timeout + 10 s}, which only a wedged JVM can reach.
     */
    public void await() {
        if (!await(bound.multipliedBy(2).plusSeconds(10))) {
            throw new DistributedException(operation, -1, operation + " did not finish within "
                    + bound.multipliedBy(2).plusSeconds(10).toSeconds() + " s, twice the group timeout");
        }
    }

    /**
     * Waits at most {@code timeout}; returns whether the operation finished. Throws its
     * {@link DistributedException} if it failed.
     */
    public boolean await(Duration timeout) {
        try {
            done.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException(operation, -1, "interrupted while waiting for " + operation, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DistributedException d) {
                // Rethrown on the waiting thread: same message and blame, this thread's stack.
                throw new DistributedException(d.operation(), d.failedRank(), d.getMessage(), d);
            }
            throw new DistributedException(operation, -1, operation + " failed: " + c, c);
        }
    }

    /**
     * Runs {@code action} once the operation has finished, successfully or not: on the thread that finished it, or
     * at once on this thread if it already has. For bookkeeping (completion times); the action must be short and
     * must not throw (an exception it throws is dropped).
     */
    public void whenDone(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        done.whenComplete((v, e) -> {
            try {
                action.run();
            } catch (RuntimeException ignored) {
                // bookkeeping only: never disturb the group's operation thread
            }
        });
    }

    @Override
    public String toString() {
        return "Work[" + operation + (done.isDone() ? ", done]" : ", pending]");
    }
}
