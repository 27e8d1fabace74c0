package dev.brisk.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The invariant every fuzz target checks: reading an input either succeeds or fails with the reader's own
 * exception type, whose message names the input — never another exception type, an {@link OutOfMemoryError} or a
 * hang. Each call runs on one reused worker thread under a time bound, so a hang is reported (with the worker's
 * stack) instead of stalling the fuzzer. A violation is an {@link AssertionError}, which Jazzer records as a
 * finding and saves the input of.
 */
public final class FuzzInvariant {

    /** Generous for inputs of a few KB; a correct reader takes microseconds to milliseconds. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(10);
    /** The first call also loads and instruments the reader's classes, slow on a loaded machine. */
    private static final Duration FIRST_CALL_BOUND = Duration.ofSeconds(60);
    private static boolean warm;

    private static ExecutorService worker = newWorker();
    private static volatile Thread workerThread;

    private FuzzInvariant() {
    }

    /**
     * Runs {@code body}; passes if it returns, or throws an instance of {@code allowed} whose message contains
     * every string of {@code mustMention} (e.g. the file name). Returns the result, or null when it threw.
     */
    public static <T> T check(Callable<T> body, Class<? extends Throwable> allowed, String... mustMention) {
        return check(DEFAULT_BOUND, body, allowed, mustMention);
    }

    /** Runs {@code body}, which must return within the bound (a valid input's second step: no exception allowed). */
    public static <T> T succeeds(Callable<T> body) {
        return check(DEFAULT_BOUND, body, NothingAllowed.class);
    }

    private static final class NothingAllowed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    public static <T> T check(Duration bound, Callable<T> body, Class<? extends Throwable> allowed,
                              String... mustMention) {
        return check(bound, body, List.of(allowed), mustMention);
    }

    /** As above, with several allowed exception types (internal protocol layers whose callers add context). */
    public static synchronized <T> T check(Duration bound, Callable<T> body,
                                           List<Class<? extends Throwable>> allowed, String... mustMention) {
        Future<T> f = worker.submit(() -> {
            workerThread = Thread.currentThread();
            return body.call();
        });
        Duration limit = warm ? bound : FIRST_CALL_BOUND.compareTo(bound) > 0 ? FIRST_CALL_BOUND : bound;
        warm = true;
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Thread stuck = workerThread;
            StackTraceElement[] stack = stuck == null ? new StackTraceElement[0] : stuck.getStackTrace();
            worker.shutdownNow();
            worker = newWorker(); // the stuck one may never return
            AssertionError hang = new AssertionError("no result within " + limit.toMillis() + " ms (a hang); the "
                    + "reader was at:\n  " + String.join("\n  ", Arrays.stream(stack).map(String::valueOf)
                    .toList()));
            hang.setStackTrace(stack);
            throw hang;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (allowed.stream().noneMatch(a -> a.isInstance(t))) {
                throw new AssertionError("expected a result or " + allowed.stream().map(Class::getSimpleName)
                        .toList() + ", got " + t, t);
            }
            String message = String.valueOf(t.getMessage());
            for (String m : mustMention) {
                if (!message.contains(m)) {
                    throw new AssertionError(t.getClass().getSimpleName() + " does not name '" + m + "': " + message,
                            t);
                }
            }
            return null;
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("fuzz-target").daemon().unstarted(r));
    }
}
