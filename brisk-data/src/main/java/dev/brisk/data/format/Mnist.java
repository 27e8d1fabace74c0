package dev.brisk.data.format;

import dev.brisk.data.DataDir;
import dev.brisk.data.DataFileException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * MNIST and Fashion-MNIST from their IDX files (raw or gzip): images {@code (N, 28, 28)} idx3, labels {@code (N)}
 * idx1 in 0..9. The splits are {@code train-*} (60,000) and {@code t10k-*} (10,000).
 */
public final class Mnist {

    public static final int CLASSES = 10;

    private Mnist() {}

    /** The training split from {@link DataDir#resolve()} ($BRISK_DATA, else the Debian package's directory). */
    public static ImageDataset train() {
        return train(DataDir.resolve());
    }

    public static ImageDataset train(Path dir) {
        return split(dir, "train");
    }

    public static ImageDataset test(Path dir) {
        return split(dir, "t10k");
    }

    /** True when {@code dir} holds both files of the training split. */
    public static boolean present(Path dir) {
        return find(dir, "train-images-idx3-ubyte") != null && find(dir, "train-labels-idx1-ubyte") != null;
    }

    private static ImageDataset split(Path dir, String split) {
        return load(require(dir, split + "-images-idx3-ubyte"), require(dir, split + "-labels-idx1-ubyte"));
    }

    /** An images file and its labels file; checks that they agree. */
    public static ImageDataset load(Path imagesFile, Path labelsFile) {
        IdxArray images = Idx.read(imagesFile, 3);
        IdxArray labels = Idx.read(labelsFile, 1);
        if (images.count() == 0) {
            throw new DataFileException(imagesFile, "holds no images (the header says 0) — re-download it");
        }
        if (images.dims()[1] == 0 || images.dims()[2] == 0) {
            throw new DataFileException(imagesFile, "header claims images of " + images.dims()[1] + "x"
                    + images.dims()[2] + " pixels — the header is corrupt; re-download the file");
        }
        if (images.count() != labels.count()) {
            throw new DataFileException(labelsFile, "has " + labels.count() + " labels but " + imagesFile + " has "
                    + images.count() + " images — both files must be the same split (train-* with train-*, t10k-* "
                    + "with t10k-*) of the same dataset");
        }
        byte[] y = labels.data();
        for (int i = 0; i < y.length; i++) {
            if ((y[i] & 0xFF) >= CLASSES) {
                throw new DataFileException(labelsFile, "label " + (y[i] & 0xFF) + " at index " + i
                        + " is outside 0.." + (CLASSES - 1) + " — this is not an MNIST/Fashion-MNIST labels file, or "
                        + "it is corrupt");
            }
        }
        return new ImageDataset(imagesFile.getFileName().toString(), images.data(), y, 1, images.dims()[1],
                images.dims()[2], CLASSES);
    }

    private static Path require(Path dir, String base) {
        Path found = find(dir, base);
        if (found == null) {
            throw new DataFileException(dir.resolve(base + ".gz"), "not found (nor " + base + " uncompressed). "
                    + DataDir.howToGetFashionMnist(dir));
        }
        return found;
    }

    private static Path find(Path dir, String base) {
        for (Path p : new Path[] {dir.resolve(base + ".gz"), dir.resolve(base)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
