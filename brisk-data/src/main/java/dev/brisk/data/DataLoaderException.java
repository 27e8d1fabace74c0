package dev.brisk.data;

/** Building a batch failed (in a worker or on the training thread); the cause is the original exception. */
public final class DataLoaderException extends RuntimeException {

    private final LoaderPosition position;

    public DataLoaderException(String message, LoaderPosition position, Throwable cause) {
        super(message, cause);
        this.position = position;
    }

    /** The batch that failed. */
    public LoaderPosition position() {
        return position;
    }
}
