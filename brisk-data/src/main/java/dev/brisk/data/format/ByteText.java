package dev.brisk.data.format;

import dev.brisk.data.DataFileException;
import dev.brisk.data.Dataset;
import dev.brisk.data.TokenWindow;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Byte-level text for causal language models: windows of T+1 consecutive bytes (tokens 0..255) from one or more
 * files held in memory. Window i starts {@code stride·i} bytes into its file; windows never cross file
 * boundaries. {@link #sequential} tiles the text (stride T: each byte is a target once); {@link #everyOffset}
 * has a window at every offset (stride 1) — sample it with {@code Sampler.random(true, count)} for random windows.
 */
public final class ByteText implements Dataset<TokenWindow> {

    private final List<byte[]> texts;
    private final long[] firstWindow; // firstWindow[f] = index of file f's first window; one extra entry = size
    private final int length, stride;

    private ByteText(List<byte[]> texts, long[] firstWindow, int length, int stride) {
        this.texts = texts;
        this.firstWindow = firstWindow;
        this.length = length;
        this.stride = stride;
    }

    /** Non-overlapping windows of T = {@code length} tokens plus the next one. */
    public static ByteText sequential(int length, Path... files) {
        return read(length, length, files);
    }

    /** A window at every byte offset. */
    public static ByteText everyOffset(int length, Path... files) {
        return read(length, 1, files);
    }

    public static ByteText read(int length, int stride, Path... files) {
        if (length < 1 || stride < 1) {
            throw new IllegalArgumentException("sequence length and stride must be ≥ 1, got " + length + " and "
                    + stride);
        }
        if (files.length == 0) {
            throw new IllegalArgumentException("name at least one text file");
        }
        byte[][] texts = new byte[files.length][];
        long[] first = new long[files.length + 1];
        for (int f = 0; f < files.length; f++) {
            long size = DataFiles.size(files[f]);
            if (size > DataFiles.MAX_BYTES) {
                throw new DataFileException(files[f], "is " + size + " bytes, too large to hold in memory (limit 2 "
                        + "GiB) — read it with TextStream instead, or split it into smaller files");
            }
            texts[f] = DataFiles.readAll(files[f]);
            long windows = texts[f].length > length ? (texts[f].length - length - 1) / stride + 1 : 0;
            first[f + 1] = first[f] + windows;
        }
        if (first[files.length] == 0) {
            throw new DataFileException(files[0], "no file" + (files.length > 1 ? " of " + Arrays.toString(files) : "")
                    + " has the " + (length + 1) + " bytes one window needs (" + length + " tokens plus the next) — "
                    + "use a shorter sequence length or more text");
        }
        if (first[files.length] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(first[files.length] + " windows are too many to index; use a larger "
                    + "stride");
        }
        return new ByteText(List.of(texts), first, length, stride);
    }

    @Override
    public int size() {
        return (int) firstWindow[texts.size()];
    }

    @Override
    public TokenWindow get(int index) {
        Objects.checkIndex(index, size());
        int f = Arrays.binarySearch(firstWindow, index);
        f = f >= 0 ? f : -f - 2; // the last file whose first window is ≤ index
        while (firstWindow[f + 1] == index && f + 1 < texts.size()) {
            f++; // skip files without windows
        }
        int start = (int) ((index - firstWindow[f]) * stride);
        return new TokenWindow(Arrays.copyOfRange(texts.get(f), start, start + length + 1));
    }

    /** The sequence length T. */
    public int length() {
        return length;
    }
}
