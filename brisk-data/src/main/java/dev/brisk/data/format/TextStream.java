package dev.brisk.data.format;

import dev.brisk.data.DataFileException;
import dev.brisk.data.StreamingDataset;
import dev.brisk.data.TokenWindow;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Sequential windows of T+1 bytes read from files front to back without holding them in memory (gzip files are
 * decompressed on the fly): consecutive windows share one byte, so every byte after the first is a target once.
 * Windows do not cross file boundaries. The same every epoch.
 */
public record TextStream(List<Path> files, int length) implements StreamingDataset<TokenWindow> {

    public TextStream {
        files = List.copyOf(files);
        if (files.isEmpty() || length < 1) {
            throw new IllegalArgumentException("TextStream needs at least one file and a sequence length ≥ 1, got "
                    + files.size() + " files and length " + length);
        }
        files.forEach(DataFiles::size);
    }

    @Override
    public Stream<TokenWindow> stream(int epoch) {
        return files.stream().flatMap(this::windows);
    }

    private Stream<TokenWindow> windows(Path file) {
        InputStream in = DataFiles.open(file);
        Iterator<TokenWindow> it = new Iterator<>() {
            private byte[] next = read(null);

            private byte[] read(byte[] previous) {
                try {
                    byte[] w = new byte[length + 1];
                    int have = 0;
                    if (previous != null) {
                        w[0] = previous[length];
                        have = 1;
                    }
                    int n = in.readNBytes(w, have, w.length - have);
                    return have + n == w.length ? w : null;
                } catch (IOException e) {
                    throw new DataFileException(file, "read failed: " + e.getMessage(), e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public TokenWindow next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                byte[] w = next;
                next = read(w);
                return new TokenWindow(w);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED
                | Spliterator.NONNULL), false).onClose(() -> {
                    try {
                        in.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
