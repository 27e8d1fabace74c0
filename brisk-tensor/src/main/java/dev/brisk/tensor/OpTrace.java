package dev.brisk.tensor;

/**
 * A hook for profilers: while a listener is set, backward reports how long each graph node's rule took. Unset
 * (the normal case) it costs backward one read of a static field per node. The listener is called on the thread
 * that runs backward; set and clear it from that thread.
 */
public final class OpTrace {

    /** Receives one call per backward node while set. */
    @FunctionalInterface
    public interface Listener {
        /** The backward rule of op {@code op} ran from {@code startNanos} to {@code endNanos} (System.nanoTime). */
        void backwardOp(String op, long startNanos, long endNanos);
    }

    static Listener listener;

    private OpTrace() {
    }

    /** Sets the listener (null: none). */
    public static void set(Listener l) {
        listener = l;
    }

    public static Listener get() {
        return listener;
    }
}
