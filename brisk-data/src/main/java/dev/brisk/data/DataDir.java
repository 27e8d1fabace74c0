package dev.brisk.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where datasets live: {@code $BRISK_DATA} when set, else {@value #DEFAULT_DIR} (where the Debian package
 * {@code dataset-fashion-mnist} installs Fashion-MNIST).
 */
public final class DataDir {

    public static final String ENV = "BRISK_DATA";
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

    private DataDir() {}

    public static Path resolve() {
        return resolve(System.getenv());
    }

    public static Path resolve(Map<String, String> env) {
        String dir = env.get(ENV);
        return Path.of(dir == null || dir.isBlank() ? DEFAULT_DIR : dir);
    }

    /** Exactly how to get Fashion-MNIST into {@code dir}. */
    public static String howToGetFashionMnist(Path dir) {
        return "Fashion-MNIST is not in " + dir + ". Either install it with `sudo apt-get install "
                + "dataset-fashion-mnist` (Debian/Ubuntu; files land in " + DEFAULT_DIR + "), or download "
                + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
                + "t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) "
                + "into a directory and set " + ENV + " to that directory (gzip or unpacked files both work).";
    }
}
