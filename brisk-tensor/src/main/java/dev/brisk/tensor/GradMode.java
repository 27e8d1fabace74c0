package dev.brisk.tensor;

/**
 * Whether ops record the autograd graph, per thread. {@code try (var s = GradMode.noGrad()) { ... }} turns
 * recording off inside the block (evaluation, optimizer updates, activation recomputation) and restores the
 * previous mode on close, so scopes nest.
 */
public final class GradMode {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope with recording off; closing it restores the mode that was in force when it opened. */
    public static Scope noGrad() {
        return set(false);
    }

    /** A scope with recording on (e.g. to recompute a checkpointed block inside a no-grad region). */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return new Scope(() -> cell[0] = previous);
    }

    /** Restores the mode that was in force when the scope opened, once, on close. */
    public static final class Scope implements AutoCloseable {
        private final Runnable restore;
        private boolean closed;

        Scope(Runnable restore) {
            this.restore = restore;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                restore.run();
            }
        }
    }
}
