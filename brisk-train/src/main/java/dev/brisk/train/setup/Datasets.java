package dev.brisk.train.setup;

import dev.brisk.data.ByteImage;
import dev.brisk.data.Collate;
import dev.brisk.data.DataDir;
import dev.brisk.data.Dataset;
import dev.brisk.data.Image;
import dev.brisk.data.Labeled;
import dev.brisk.data.TokenWindow;
import dev.brisk.data.Transform;
import dev.brisk.data.format.ByteText;
import dev.brisk.data.format.Cifar10;
import dev.brisk.data.format.CsvDataset;
import dev.brisk.data.format.CsvOptions;
import dev.brisk.data.format.ImageDataset;
import dev.brisk.data.format.Mnist;
import dev.brisk.data.transform.Mixup;
import dev.brisk.data.transform.Normalize;
import dev.brisk.data.transform.RandomCrop;
import dev.brisk.data.transform.RandomErasing;
import dev.brisk.data.transform.RandomFlip;
import dev.brisk.data.transform.ToTensor;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.DataConfig;
import dev.brisk.train.config.DataConfig.Augment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Opens the data a {@link DataConfig} describes, one split at a time, as a {@link DataSource}.
 *
 * <ul>
 *   <li>fashion-mnist, mnist, cifar10: the dataset's own train and test files in {@code data.dir}; pixels to [0, 1],
 *       then for training the configured augmentations (crop with padding 2 on 28×28 images, 4 on 32×32; horizontal
 *       flip; random erasing after normalisation), then per-channel normalisation — Fashion-MNIST mean 0.2860, std
 *       0.3530; MNIST 0.1307, 0.3081; CIFAR-10 (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616). The test
 *       split is never augmented.
 *   <li>csv: one file per split, every column but {@code label_column} a feature; no transform.
 *   <li>text: byte windows of {@code seq_len} + 1 tokens, tiled (each byte is a target once per epoch).
 * </ul>
 * csv and text without {@code test_files} hold out a seeded random {@code data.holdout} fraction of the training
 * samples as the test split (the same seed gives the same split in both calls). {@code data.limit} keeps the first
 * N samples of a split. Missing files raise brisk-data's {@code DataFileException}, which names the file and says
 * how to get it.
 */
public final class Datasets {

    /** Which part of the data. */
    public enum Split { TRAIN, TEST }

    private Datasets() {}

    public static DataSource<?, ?> create(DataConfig config, Split split, long seed) {
        return switch (config.dataset()) {
            case FASHION_MNIST, MNIST, CIFAR10 -> images(config, split, seed);
            case CSV -> csv(config, split, seed);
            case TEXT -> text(config, split, seed);
        };
    }

    // ---- images ------------------------------------------------------------------------------------------------

    private static DataSource<Labeled<ByteImage>, Labeled<Image>> images(DataConfig c, Split split, long seed) {
        Path dir = imageDir(c);
        boolean train = split == Split.TRAIN;
        ImageDataset full = switch (c.dataset()) {
            case FASHION_MNIST -> train ? Mnist.train(dir) : Mnist.test(dir);
            case MNIST -> {
                if (!Mnist.present(dir)) {
                    throw new ConfigException("data.dir", "MNIST is not in " + dir + ": put train-images-idx3-ubyte.gz,"
                            + " train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz "
                            + "(gzip or unpacked) in a directory and set data.dir (or $" + DataDir.ENV + ") to it");
                }
                yield train ? Mnist.train(dir) : Mnist.test(dir);
            }
            default -> train ? Cifar10.train(dir) : Cifar10.test(dir);
        };
        Dataset<Labeled<ByteImage>> data = limit(full, c);
        float[][] stats = switch (c.dataset()) {
            case FASHION_MNIST -> new float[][] {{0.2860f}, {0.3530f}};
            case MNIST -> new float[][] {{0.1307f}, {0.3081f}};
            default -> new float[][] {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
        };
        Transform<ByteImage, Image> t = new ToTensor();
        List<Augment> augment = train ? c.augment() : List.of();
        if (augment.contains(Augment.CROP)) {
            t = t.andThen(new RandomCrop(full.height(), full.width(), full.height() >= 32 ? 4 : 2));
        }
        if (augment.contains(Augment.FLIP)) {
            t = t.andThen(RandomFlip.horizontal());
        }
        if (c.normalize()) {
            t = t.andThen(new Normalize(stats[0], stats[1]));
        }
        if (augment.contains(Augment.ERASE)) {
            t = t.andThen(RandomErasing.defaults());
        }
        Collate<Labeled<Image>> collate = Collate.images();
        if (train && c.mixup() > 0) {
            collate = collate.andThen(new Mixup(c.mixup(), full.classes()));
        }
        return new DataSource<>(c.dataset().key() + " " + split.name().toLowerCase() + " (" + data.size()
                + " images " + full.channels() + "x" + full.height() + "x" + full.width() + ", " + full.classes()
                + " classes, from " + dir + ")", split, data, Labeled.inputs(t), collate,
                new int[] {full.channels(), full.height(), full.width()}, full.classes());
    }

    private static Path imageDir(DataConfig c) {
        if (c.dir() != null) {
            return Path.of(c.dir());
        }
        String env = System.getenv(DataDir.ENV);
        if (c.dataset() != DataConfig.Source.FASHION_MNIST && (env == null || env.isBlank())) {
            throw new ConfigException("data.dir", c.dataset().key() + " has no default location; set data.dir (or $"
                    + DataDir.ENV + ") to the directory holding its files" + (c.dataset() == DataConfig.Source.CIFAR10
                    ? " (cifar-10-batches-bin from https://www.cs.toronto.edu/~kriz/cifar.html)" : ""));
        }
        return DataDir.resolve();
    }

    // ---- csv ---------------------------------------------------------------------------------------------------

    private static DataSource<Labeled<float[]>, Labeled<float[]>> csv(DataConfig c, Split split, long seed) {
        CsvOptions options = CsvOptions.of(c.labelColumn());
        String file = single(c.files(), "data.files");
        CsvDataset train = CsvDataset.read(path(file, "data.files"), options);
        Dataset<Labeled<float[]>> data;
        if (split == Split.TEST && !c.testFiles().isEmpty()) {
            CsvDataset test = CsvDataset.read(path(single(c.testFiles(), "data.test_files"), "data.test_files"),
                    options);
            if (!test.featureNames().equals(train.featureNames()) || !test.classNames().equals(train.classNames())) {
                throw new ConfigException("data.test_files", "the test file's features " + test.featureNames()
                        + " and classes " + test.classNames() + " differ from the training file's "
                        + train.featureNames() + " and " + train.classNames() + "; both need the same columns and "
                        + "label values");
            }
            data = test;
        } else {
            data = holdout(train, c, split, seed);
        }
        Collate<Labeled<float[]>> collate = Collate.features();
        if (split == Split.TRAIN && c.mixup() > 0) {
            collate = collate.andThen(new Mixup(c.mixup(), train.classes()));
        }
        data = limit(data, c);
        return new DataSource<>("csv " + split.name().toLowerCase() + " (" + data.size() + " rows, "
                + train.featureNames().size() + " features, " + train.classes() + " classes)", split, data,
                Transform.identity(), collate, new int[] {train.featureNames().size()}, train.classes());
    }

    // ---- text --------------------------------------------------------------------------------------------------

    private static DataSource<TokenWindow, TokenWindow> text(DataConfig c, Split split, long seed) {
        boolean ownTest = split == Split.TEST && !c.testFiles().isEmpty();
        List<String> files = ownTest ? c.testFiles() : c.files();
        String key = ownTest ? "data.test_files" : "data.files";
        Path[] paths = IntStream.range(0, files.size()).mapToObj(i -> path(files.get(i), key + "[" + i + "]"))
                .toArray(Path[]::new);
        ByteText all = ByteText.sequential(c.seqLen(), paths);
        Dataset<TokenWindow> data = limit(ownTest ? all : holdout(all, c, split, seed), c);
        return new DataSource<>("text " + split.name().toLowerCase() + " (" + data.size() + " windows of "
                + c.seqLen() + " tokens from " + files.size() + " file(s))", split, data, Transform.identity(),
                Collate.tokens(), new int[] {c.seqLen()}, 256);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** The train part, or the held-out test part, of {@code all}. */
    private static <S> Dataset<S> holdout(Dataset<S> all, DataConfig c, Split split, long seed) {
        if (c.holdout() == 0) {
            if (split == Split.TEST) {
                throw new ConfigException("data.test_files", c.dataset().key() + " data has no test split: name "
                        + "test_files, or hold out part of the training data with data.holdout (e.g. 0.1)");
            }
            return all;
        }
        int test = (int) Math.round(all.size() * c.holdout());
        if (test < 1 || test >= all.size()) {
            throw new ConfigException("data.holdout", "holding out " + c.holdout() + " of " + all.size()
                    + " samples leaves " + (test < 1 ? "no test" : "no training") + " samples; change data.holdout "
                    + "or name data.test_files");
        }
        List<Dataset<S>> parts = all.randomSplit(seed, all.size() - test, test);
        return parts.get(split == Split.TRAIN ? 0 : 1);
    }

    private static <S> Dataset<S> limit(Dataset<S> data, DataConfig c) {
        return c.limit() == null || c.limit() >= data.size() ? data
                : data.subset(IntStream.range(0, c.limit()).toArray());
    }

    private static String single(List<String> files, String key) {
        if (files.size() != 1) {
            throw new ConfigException(key, "csv data reads one file per split, got " + files.size() + ": " + files);
        }
        return files.getFirst();
    }

    private static Path path(String file, String key) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(key, "'" + file + "' is not a readable file (relative paths start at the "
                    + "working directory " + Path.of("").toAbsolutePath() + ")");
        }
        return p;
    }
}
