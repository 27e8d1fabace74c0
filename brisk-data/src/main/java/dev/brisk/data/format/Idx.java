package dev.brisk.data.format;

import dev.brisk.data.DataFileException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), raw or gzip-compressed: a big-endian magic {@code 0x0000TTDD} (type TT,
 * here 0x08 = unsigned byte, and DD dimensions), DD big-endian int32 sizes, then the bytes. Every way a file can
 * be wrong ends in a {@link DataFileException} naming the file, the problem and the likely fix — before any large
 * allocation, so a corrupt header cannot exhaust memory.
 */
public final class Idx {

    public static final int UNSIGNED_BYTE = 0x08;

    private Idx() {}

    /** Reads an unsigned-byte IDX file that must have {@code expectedDims} dimensions (3 images, 1 labels). */
    public static IdxArray read(Path file, int expectedDims) {
        long fileSize = DataFiles.size(file);
        boolean gzip = DataFiles.isGzip(file);
        try (InputStream in = DataFiles.open(file)) {
            int expectedMagic = UNSIGNED_BYTE << 8 | expectedDims;
            int headerSize = 4 + 4 * expectedDims;
            byte[] magicBytes = in.readNBytes(4);
            if (magicBytes.length < 4) {
                throw new DataFileException(file, "ends after " + magicBytes.length + " bytes, inside the 4-byte IDX "
                        + "magic number — the file is truncated or empty; re-download it");
            }
            int magic = DataFiles.bigEndianInt(magicBytes, 0);
            if (magic != expectedMagic) {
                throw new DataFileException(file, String.format("expected IDX magic 0x%08X (%d-dimensional unsigned "
                        + "bytes), got 0x%08X%s", expectedMagic, expectedDims, magic, hint(magic, expectedDims)));
            }
            byte[] header = in.readNBytes(4 * expectedDims);
            if (header.length < 4 * expectedDims) {
                throw new DataFileException(file, "ends inside the IDX header (after " + (4 + header.length) + " of "
                        + headerSize + " bytes) — the file is truncated; re-download it");
            }
            int[] dims = new int[expectedDims];
            long bytes = 1; // Long.MAX_VALUE once past the limit (each factor ≤ 2^31, so no overflow before)
            StringBuilder claim = new StringBuilder();
            for (int d = 0; d < expectedDims; d++) {
                long size = Integer.toUnsignedLong(DataFiles.bigEndianInt(header, 4 * d));
                claim.append(d == 0 ? "" : " x ").append(size);
                bytes = bytes > DataFiles.MAX_BYTES || size > DataFiles.MAX_BYTES ? Long.MAX_VALUE : bytes * size;
                dims[d] = (int) Math.min(size, Integer.MAX_VALUE);
            }
            if (bytes > DataFiles.MAX_BYTES) {
                throw new DataFileException(file, "header claims " + claim + (bytes == Long.MAX_VALUE ? ""
                        : " = " + bytes) + " bytes of data, more than any real IDX dataset (limit 2 GiB)"
                        + " — the header is corrupt; re-download the file");
            }
            if (!gzip && bytes > fileSize - headerSize) {
                throw new DataFileException(file, "is truncated: the header claims " + claim + " = " + bytes
                        + " bytes of data but only " + (fileSize - headerSize) + " follow the header; re-download it");
            }
            byte[] data = in.readNBytes((int) bytes); // reads in chunks: memory grows only with real data
            if (data.length < bytes) {
                throw new DataFileException(file, "is truncated: the header claims " + claim + " = " + bytes
                        + " bytes of data but the file ends after " + data.length + "; re-download it");
            }
            if (in.read() != -1) {
                throw new DataFileException(file, "has more data than its header claims (" + claim + " = " + bytes
                        + " bytes) — the header is wrong or two files were joined; re-download it");
            }
            return new IdxArray(file, dims, data);
        } catch (EOFException | ZipException e) {
            throw new DataFileException(file, "the gzip data is truncated or corrupt (" + e.getMessage()
                    + ") — re-download the file", e);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static String hint(int magic, int expectedDims) {
        if (magic >>> 16 == 0x1f8b) {
            return " — is the file still gzip-compressed (compressed twice)? Decompress it once with gunzip";
        }
        if (magic >>> 16 == 0 && (magic >>> 8 & 0xFF) != UNSIGNED_BYTE) {
            return String.format(" — element type 0x%02X is not unsigned bytes (0x08); Brisk reads uint8 IDX files",
                    magic >>> 8 & 0xFF);
        }
        if (magic >>> 8 == UNSIGNED_BYTE) {
            int dims = magic & 0xFF;
            String what = dims == 1 ? "labels" : dims == 3 ? "images" : dims + "-dimensional data";
            return " — this file holds " + what + (expectedDims == 1 || expectedDims == 3
                    ? "; are the images and labels files swapped?" : "");
        }
        return " — this is not an IDX file";
    }
}
