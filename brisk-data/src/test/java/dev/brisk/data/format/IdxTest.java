package dev.brisk.data.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.brisk.data.ByteImage;
import dev.brisk.data.DataDir;
import dev.brisk.data.DataFileException;
import dev.brisk.data.Labeled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    static byte[] pixels(int n) {
        byte[] p = new byte[n * 4 * 3];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 7);
        }
        return p;
    }

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    Path images(String name, int n, boolean gz) throws IOException {
        byte[] raw = idx(0x803, new int[] {n, 4, 3}, pixels(n));
        return write(name, gz ? gzip(raw) : raw);
    }

    Path labels(String name, byte[] labels, boolean gz) throws IOException {
        byte[] raw = idx(0x801, new int[] {labels.length}, labels);
        return write(name, gz ? gzip(raw) : raw);
    }

    static DataFileException fails(Path file, Runnable r, String... fragments) {
        DataFileException e = assertThrows(DataFileException.class, r::run);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void rawAndGzipRoundTrip() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path im = images("im" + gz, 5, gz);
            Path lb = labels("lb" + gz, new byte[] {3, 1, 4, 1, 9}, gz);
            ImageDataset ds = Mnist.load(im, lb);
            assertEquals(5, ds.size());
            assertEquals(4, ds.height());
            assertEquals(3, ds.width());
            Labeled<ByteImage> s = ds.get(2);
            assertEquals(4, s.label());
            assertArrayEquals(Arrays.copyOfRange(pixels(5), 24, 36), s.input().pixels());
            assertEquals(9, ds.get(4).label());
        }
    }

    @Test
    void wrongMagic() throws IOException {
        Path f = write("x", idx(0x12345678, new int[] {1, 4, 3}, pixels(1)));
        fails(f, () -> Idx.read(f, 3), "expected IDX magic 0x00000803", "got 0x12345678", "not an IDX file");
    }

    @Test
    void doubleGzipSaysStillCompressed() throws IOException {
        Path f = write("twice.gz", gzip(gzip(idx(0x803, new int[] {1, 4, 3}, pixels(1)))));
        fails(f, () -> Idx.read(f, 3), "got 0x1F8B08", "still gzip-compressed");
    }

    @Test
    void swappedFilesAreNamed() throws IOException {
        Path lb = labels("labels", new byte[] {1, 2}, false);
        Path im = images("images", 2, false);
        fails(lb, () -> Mnist.load(lb, im), "expected IDX magic 0x00000803", "holds labels", "swapped");
    }

    @Test
    void nonByteElementType() throws IOException {
        Path f = write("floats", idx(0x0D03, new int[] {1, 1, 1}, new byte[4]));
        fails(f, () -> Idx.read(f, 3), "element type 0x0D");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path f = write("short", Arrays.copyOf(idx(0x803, new int[] {1, 4, 3}, pixels(1)), 9));
        fails(f, () -> Idx.read(f, 3), "ends inside the IDX header");
        Path g = write("tiny", new byte[] {0, 0});
        fails(g, () -> Idx.read(g, 3), "inside the 4-byte IDX magic");
    }

    @Test
    void truncatedDataRawAndGzip() throws IOException {
        byte[] raw = idx(0x803, new int[] {5, 4, 3}, pixels(5));
        byte[] cut = Arrays.copyOf(raw, raw.length - 10);
        Path f = write("cut", cut);
        fails(f, () -> Idx.read(f, 3), "truncated", "5 x 4 x 3 = 60 bytes", "only 50");
        Path g = write("cut.gz", gzip(cut));
        fails(g, () -> Idx.read(g, 3), "truncated", "ends after 50");
        byte[] gz = gzip(raw);
        Path h = write("cutgz.gz", Arrays.copyOf(gz, gz.length - 12)); // the gzip stream itself is cut
        fails(h, () -> Idx.read(h, 3), "truncated or corrupt");
    }

    @Test
    void absurdHeaderSizesFailWithoutAllocating() throws IOException {
        Path f = write("huge", idx(0x803, new int[] {-1, 28, 28}, pixels(1)));
        fails(f, () -> Idx.read(f, 3), "header claims 4294967295 x 28 x 28", "corrupt");
        Path g = write("big.gz", gzip(idx(0x803, new int[] {20_000_000, 28, 28}, pixels(1))));
        fails(g, () -> Idx.read(g, 3), "header claims 20000000 x 28 x 28 = 15680000000 bytes", "limit 2 GiB");
        Path h = write("big2.gz", gzip(idx(0x803, new int[] {2_000_000, 1, 1000}, pixels(1))));
        fails(h, () -> Idx.read(h, 3), "truncated", "2000000000 bytes");
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] raw = idx(0x801, new int[] {2}, new byte[] {1, 2, 3});
        Path f = write("long", raw);
        fails(f, () -> Idx.read(f, 1), "more data than its header claims");
    }

    @Test
    void countsDisagree() throws IOException {
        Path im = images("im", 5, true);
        Path lb = labels("lb", new byte[] {1, 2, 3, 4}, true);
        fails(lb, () -> Mnist.load(im, lb), "has 4 labels", "has 5 images", "same split");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path im = images("im", 3, false);
        Path lb = labels("lb", new byte[] {1, 12, 3}, false);
        fails(lb, () -> Mnist.load(im, lb), "label 12 at index 1", "outside 0..9");
    }

    @Test
    void missingDirectorySaysHowToGetTheFiles() {
        Path missing = dir.resolve("nowhere");
        DataFileException e = assertThrows(DataFileException.class, () -> Mnist.train(missing));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("BRISK_DATA"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void findsSplitFilesRawOrGzip() throws IOException {
        images("train-images-idx3-ubyte.gz", 3, true);
        labels("train-labels-idx1-ubyte", new byte[] {0, 1, 2}, false);
        assertTrue(Mnist.present(dir));
        assertEquals(3, Mnist.train(dir).size());
    }

    @Test
    void realFashionMnistWhenInstalled() {
        Path d = DataDir.resolve();
        assumeTrue(Mnist.present(d), "Fashion-MNIST not installed");
        ImageDataset train = Mnist.train(d);
        assertEquals(60_000, train.size());
        assertEquals(28, train.height());
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, counts);
        assertEquals(10_000, Mnist.test(d).size());
    }
}
