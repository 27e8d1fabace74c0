package dev.brisk.cli;

/** Bad usage or bad input: the CLI prints the message (which names the field or file) and exits with 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
