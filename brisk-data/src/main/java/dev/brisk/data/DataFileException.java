package dev.brisk.data;

import java.nio.file.Path;

/** A data file is missing, unreadable or malformed; the message names the file, the problem and the fix. */
public final class DataFileException extends RuntimeException {

    private final Path file;

    public DataFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public DataFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
