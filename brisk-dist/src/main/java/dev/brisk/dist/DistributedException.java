package dev.brisk.dist;

/**
 * A collective, point-to-point operation or rendezvous failed. The group it happened in is aborted: every later
 * operation on it throws too, and recovery means a new group (a new rendezvous generation).
 *
 * <p>{@link #failedRank()} is the rank that caused the failure as best this rank can tell (the peer that closed
 * its connection, sent a bad message or did not answer in time), or {@code -1} when no single peer is to blame
 * (a bad argument, this rank's own I/O error). {@link #operation()} names the operation, e.g.
 * {@code "allreduce #812 (f32×1048576 sum)"}.
 */
public final class DistributedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int failedRank;
    private final String operation;

    public DistributedException(String operation, int failedRank, String message) {
        this(operation, failedRank, message, null);
    }

    public DistributedException(String operation, int failedRank, String message, Throwable cause) {
        super(message, cause);
        this.failedRank = failedRank;
        this.operation = operation;
    }

    /** The rank blamed for the failure, or -1 when none is. */
    public int failedRank() {
        return failedRank;
    }

    /** The operation that failed, e.g. {@code "allreduce #3 (f32×100 sum)"} or {@code "rendezvous"}. */
    public String operation() {
        return operation;
    }
}
