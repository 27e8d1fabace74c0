package dev.brisk.data.format;

import static dev.brisk.data.format.IdxTest.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    @TempDir
    Path dir;

    static byte[] records(int... labels) {
        byte[] b = new byte[labels.length * Cifar10.RECORD_BYTES];
        for (int r = 0; r < labels.length; r++) {
            b[r * Cifar10.RECORD_BYTES] = (byte) labels[r];
            for (int i = 0; i < Cifar10.IMAGE_BYTES; i++) {
                b[r * Cifar10.RECORD_BYTES + 1 + i] = (byte) (r + i);
            }
        }
        return b;
    }

    @Test
    void roundTripAcrossFiles() throws IOException {
        Path a = Files.write(dir.resolve("data_batch_1.bin"), records(3, 7));
        Path b = Files.write(dir.resolve("data_batch_2.bin"), records(0));
        ImageDataset ds = Cifar10.load(a, b);
        assertEquals(3, ds.size());
        assertEquals(3, ds.channels());
        assertEquals(7, ds.get(1).label());
        assertEquals(0, ds.get(2).label());
        // record 1 of file a: pixel i = 1 + i; channel 2 (blue), row 5, column 6 is byte 2*1024 + 5*32 + 6
        assertEquals((1 + 2 * 1024 + 5 * 32 + 6) & 0xFF, ds.get(1).input().at(2, 5, 6));
        assertEquals(0 & 0xFF, ds.get(2).input().at(0, 0, 0));
    }

    @Test
    void truncatedRecord() throws IOException {
        byte[] r = records(1, 2);
        Path f = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(r, r.length - 100));
        fails(f, () -> Cifar10.load(f), "not a whole number of 3073-byte records", "only 2973 bytes");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path f = Files.write(dir.resolve("bad.bin"), records(1, 42));
        fails(f, () -> Cifar10.load(f), "record 1 has label 42", "CIFAR-100");
    }

    @Test
    void emptyAndMissing() throws IOException {
        Path f = Files.write(dir.resolve("empty.bin"), new byte[0]);
        fails(f, () -> Cifar10.load(f), "is empty");
        fails(dir.resolve("test_batch.bin"), () -> Cifar10.test(dir), "not found", "cifar-10-binary.tar.gz");
    }
}
