package dev.brisk.data.format;

import dev.brisk.data.DataFileException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening data files: existence and size checks, transparent gzip (detected by its magic bytes, not the name). */
final class DataFiles {

    /** The largest array Brisk reads a file into. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private DataFiles() {}

    static long size(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataFileException(file, Files.exists(file) ? "is not a regular file" : "not found");
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read its size: " + e.getMessage(), e);
        }
    }

    static boolean isGzip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(2);
            return b.length == 2 && (b[0] & 0xFF) == 0x1f && (b[1] & 0xFF) == 0x8b;
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** A buffered stream of the file's contents, gunzipped when the file is gzip. */
    static InputStream open(Path file) {
        size(file);
        try {
            InputStream raw = Files.newInputStream(file);
            return isGzip(file) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
                    : new BufferedInputStream(raw, 1 << 16);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot open: " + e.getMessage()
                    + (isGzip(file) ? " — the gzip header is corrupt; re-download the file" : ""), e);
        }
    }

    /** The whole (uncompressed) file, refusing files too large for one array. */
    static byte[] readAll(Path file) {
        long size = size(file);
        if (size > MAX_BYTES) {
            throw new DataFileException(file, "is " + size + " bytes, more than fit in one array (2 GiB)");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    static int bigEndianInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
