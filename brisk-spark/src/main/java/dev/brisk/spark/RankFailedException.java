package dev.brisk.spark;

/**
 * A Brisk rank's training failed inside its barrier task. The message names the rank and the cause, and it is what
 * Spark shows at the driver as the stage's failure reason.
 */
public final class RankFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int rank;

    public RankFailedException(int rank, int worldSize, int stageAttempt, Throwable cause) {
        super("Brisk rank " + rank + " of " + worldSize + " (stage attempt " + stageAttempt + ") failed: " + cause,
                cause);
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }
}
