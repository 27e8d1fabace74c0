package dev.brisk.monitor.dashboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;

/**
 * Follows a file that is appended to line by line (metrics.jsonl), handing out each complete line once. It keeps
 * the byte offset it has read up to, so a poll that finds nothing new costs one {@code stat} and a poll after an
 * append reads only the new bytes. A file that shrank (truncated) or was replaced by another one (a different file
 * key, e.g. a new inode after a rename) is read again from its start. A line still being written (no newline yet)
 * is handed out once it is complete.
 */
final class MetricsTail {

    /** At most this much is read per poll, so a huge history is streamed in pieces. */
    static final int MAX_CHUNK = 8 << 20;

    private final Path file;
    private long offset;
    private Object fileKey;

    /** @param offset where to start (0: the whole file; a reconnecting client's last byte offset) */
    MetricsTail(Path file, long offset) {
        this.file = Objects.requireNonNull(file, "file");
        this.offset = Math.max(0, offset);
    }

    /** The byte offset after the last line handed out. */
    long offset() {
        return offset;
    }

    /** The new complete lines, as one receiver call per non-empty line; returns how many there were. */
    int poll(LineReceiver receiver) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return 0; // not written yet, or between a rotation's rename and create
        }
        long size = attrs.size();
        Object key = attrs.fileKey();
        if (fileKey != null && key != null && !key.equals(fileKey) || size < offset) {
            offset = 0; // replaced or truncated: start over
        }
        fileKey = key;
        if (size == offset) {
            return 0;
        }
        byte[] chunk = read(offset, (int) Math.min(size - offset, MAX_CHUNK));
        int lines = 0;
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n') {
                int end = i;
                while (end > start && (chunk[end - 1] == '\r' || chunk[end - 1] == ' ')) {
                    end--;
                }
                if (end > start) {
                    receiver.line(chunk, start, end - start, offset + i + 1);
                    lines++;
                }
                start = i + 1;
            }
        }
        offset += start;
        return lines;
    }

    private byte[] read(long from, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
                // the file may have been cut shorter since the stat: what was read is all there is
            }
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
        return buf.position() == length ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
    }

    /** Receives one line (without its newline) and the byte offset just after it. */
    @FunctionalInterface
    interface LineReceiver {
        void line(byte[] bytes, int start, int length, long offsetAfter) throws IOException;
    }
}
