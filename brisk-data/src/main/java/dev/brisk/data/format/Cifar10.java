package dev.brisk.data.format;

import dev.brisk.data.DataFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * CIFAR-10 binary batches ({@code cifar-10-batches-bin}): records of 1 label byte (0..9) and 3,072 pixel bytes,
 * the 32×32 red, then green, then blue planes — already (C, H, W). 10,000 records per file.
 */
public final class Cifar10 {

    public static final int CLASSES = 10, CHANNELS = 3, SIZE = 32;
    public static final int IMAGE_BYTES = CHANNELS * SIZE * SIZE, RECORD_BYTES = 1 + IMAGE_BYTES;

    private Cifar10() {}

    /** data_batch_1.bin .. data_batch_5.bin in {@code dir}. */
    public static ImageDataset train(Path dir) {
        return load(IntStream.rangeClosed(1, 5).mapToObj(i -> require(dir, "data_batch_" + i + ".bin"))
                .toArray(Path[]::new));
    }

    /** test_batch.bin in {@code dir}. */
    public static ImageDataset test(Path dir) {
        return load(require(dir, "test_batch.bin"));
    }

    /** The records of all {@code files}, in order. */
    public static ImageDataset load(Path... files) {
        if (files.length == 0) {
            throw new IllegalArgumentException("Cifar10.load needs at least one batch file");
        }
        long total = 0;
        for (Path f : files) {
            long size = DataFiles.size(f);
            if (size == 0) {
                throw new DataFileException(f, "is empty — re-download it");
            }
            if (size % RECORD_BYTES != 0) {
                throw new DataFileException(f, "is truncated or not a CIFAR-10 binary batch: " + size + " bytes is not "
                        + "a whole number of " + RECORD_BYTES + "-byte records (1 label byte + 3x32x32 pixels); the "
                        + "last record has only " + size % RECORD_BYTES + " bytes — re-download it");
            }
            total += size / RECORD_BYTES;
        }
        if (total * IMAGE_BYTES > DataFiles.MAX_BYTES) {
            throw new IllegalArgumentException(total + " CIFAR images are more than fit in one array (2 GiB)");
        }
        byte[] pixels = new byte[(int) total * IMAGE_BYTES];
        byte[] labels = new byte[(int) total];
        int n = 0;
        for (Path f : files) {
            byte[] raw = DataFiles.readAll(f);
            for (int r = 0; r < raw.length / RECORD_BYTES; r++, n++) {
                int label = raw[r * RECORD_BYTES] & 0xFF;
                if (label >= CLASSES) {
                    throw new DataFileException(f, "record " + r + " has label " + label + " but CIFAR-10 labels are "
                            + "0..9 — is this CIFAR-100 (2 label bytes per record) or not a CIFAR-10 batch?");
                }
                labels[n] = (byte) label;
                System.arraycopy(raw, r * RECORD_BYTES + 1, pixels, n * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new ImageDataset(files[0].getFileName().toString() + (files.length > 1 ? " +" + (files.length - 1)
                : ""), pixels, labels, CHANNELS, SIZE, SIZE, CLASSES);
    }

    private static Path require(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new DataFileException(p, "not found. Download the CIFAR-10 binary version (cifar-10-binary.tar.gz) "
                    + "from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it with `tar xzf "
                    + "cifar-10-binary.tar.gz` and pass the resulting cifar-10-batches-bin directory");
        }
        return p;
    }
}
