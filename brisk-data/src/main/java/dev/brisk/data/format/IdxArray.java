package dev.brisk.data.format;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/** The contents of an unsigned-byte IDX file: its dimensions and its {@code Π dims} bytes, row-major. */
public record IdxArray(Path file, int[] dims, byte[] data) {

    public IdxArray {
        Objects.requireNonNull(file, "file");
        dims = dims.clone();
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (dims.length == 0 || n != data.length) {
            throw new IllegalArgumentException("IDX dims " + Arrays.toString(dims) + " need " + n + " bytes, got "
                    + data.length);
        }
    }

    /** The first dimension: the number of items (images or labels). */
    public int count() {
        return dims[0];
    }
}
