package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the samples come from and how they are batched (section {@code data}; {@code batch_size} at the top level is
 * an alias of {@code data.batch_size}). Relative paths are resolved against the working directory.
 *
 * @param dataset    {@code data.dataset}: fashion-mnist (default), mnist, cifar10, csv or text
 * @param dir        {@code data.dir}: the directory of the IDX / CIFAR files; default null = {@code $BRISK_DATA},
 *                   else the Debian package's {@code /usr/share/datasets/fashion-mnist} (fashion-mnist only; mnist
 *                   and cifar10 need {@code dir} or {@code $BRISK_DATA})
 * @param files      {@code data.files}: the training files of csv and text data (only those); default []
 * @param testFiles  {@code data.test_files}: the evaluation files of csv and text data; default [] = hold out
 *                   {@code holdout} of {@code files}
 * @param labelColumn {@code data.label_column}: the CSV header name of the class label (csv only, required there)
 * @param batchSize  {@code data.batch_size}: samples per batch (per optimizer step, before accumulation), 1..65536;
 *                   default 64
 * @param workers    {@code data.workers}: background threads building batches, 0..256 (0 = on the training
 *                   thread); default 2
 * @param augment    {@code data.augment}: training-only image augmentations, any of [crop, flip, erase]: crop = random
 *                   crop with zero padding 2 (28×28 data) or 4 (32×32), flip = horizontal flip with p 0.5, erase =
 *                   random erasing (torchvision defaults); default [crop, flip] for images, [] otherwise
 * @param seqLen     {@code data.seq_len}: tokens per text window (text only), ≥ 1; default 64
 * @param normalize  {@code data.normalize}: subtract the dataset's per-channel mean and divide by its std (images);
 *                   default true
 * @param mixup      {@code data.mixup}: mixup's Beta(α, α) parameter for training batches, 0 = off; default 0
 * @param dropLast   {@code data.drop_last}: drop a final partial training batch; default false
 * @param limit      {@code data.limit}: use only the first N samples of each split (smoke tests), null = all;
 *                   default null
 * @param holdout    {@code data.holdout}: the fraction of csv/text {@code files} held out for evaluation when no
 *                   {@code test_files} are given, in [0, 1); default 0.1
 */
public record DataConfig(Source dataset, String dir, List<String> files, List<String> testFiles, String labelColumn,
                         int batchSize, int workers, List<Augment> augment, int seqLen, boolean normalize,
                         double mixup, boolean dropLast, Integer limit, double holdout) {

    /** The dataset kinds; {@link #key()} is the YAML name. */
    public enum Source {
        FASHION_MNIST("fashion-mnist"), MNIST("mnist"), CIFAR10("cifar10"), CSV("csv"), TEXT("text");

        private final String key;

        Source(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        public boolean isImage() {
            return this == FASHION_MNIST || this == MNIST || this == CIFAR10;
        }

        public static List<String> keys() {
            return Arrays.stream(values()).map(Source::key).toList();
        }
    }

    /** Training-time image augmentations, applied in this order: crop, flip, erase. */
    public enum Augment {
        CROP, FLIP, ERASE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DataConfig {
        Objects.requireNonNull(dataset, "data.dataset");
        files = List.copyOf(files);
        testFiles = List.copyOf(testFiles);
        augment = List.copyOf(augment);
        boolean fileBased = dataset == Source.CSV || dataset == Source.TEXT;
        check(fileBased || files.isEmpty(), "data.files", dataset.key() + " is read from data.dir; files is for csv"
                + " and text data only — remove it, or set data.dir");
        check(fileBased || testFiles.isEmpty(), "data.test_files", dataset.key() + " has its own test split; "
                + "test_files is for csv and text data only");
        check(!fileBased || !files.isEmpty(), "data.files", dataset.key() + " data needs at least one training file,"
                + " e.g. files: [train." + (dataset == Source.CSV ? "csv" : "txt") + "]");
        check(!fileBased || dir == null, "data.dir", dataset.key() + " data is read from data.files; dir is for the"
                + " image datasets");
        check(dir == null || !dir.isBlank(), "data.dir", "is blank; remove it to use $BRISK_DATA or the default");
        check((dataset == Source.CSV) == (labelColumn != null), "data.label_column", dataset == Source.CSV
                ? "csv data needs the header name of its class column, e.g. label_column: species"
                : "only csv data has a label column (dataset is " + dataset.key() + ")");
        check(labelColumn == null || !labelColumn.isBlank(), "data.label_column", "is blank");
        check(batchSize >= 1 && batchSize <= 65536, "data.batch_size", "must be in 1..65536, got " + batchSize);
        check(workers >= 0 && workers <= 256, "data.workers", "must be in 0..256 (0 builds batches on the training "
                + "thread), got " + workers);
        check(dataset.isImage() || augment.isEmpty(), "data.augment", "augmentations are for images; "
                + dataset.key() + " data takes none (use augment: [])");
        check(augment.stream().distinct().count() == augment.size(), "data.augment", "lists an augmentation twice: "
                + augment.stream().map(Augment::key).toList());
        check(seqLen >= 1, "data.seq_len", "must be ≥ 1, got " + seqLen);
        check(mixup >= 0 && Double.isFinite(mixup), "data.mixup", "must be ≥ 0 (0 = off, 0.2 is typical), got "
                + mixup);
        check(mixup == 0 || dataset != Source.TEXT, "data.mixup", "mixup needs class labels; text data has none");
        check(limit == null || limit >= 1, "data.limit", "must be ≥ 1 (or null for all samples), got " + limit);
        check(holdout >= 0 && holdout < 1, "data.holdout", "must be in [0, 1), got " + holdout);
    }

    /** The augmentations used when {@code augment} is not given: [crop, flip] for images, none otherwise. */
    public static List<Augment> defaultAugment(Source dataset) {
        return dataset.isImage() ? List.of(Augment.CROP, Augment.FLIP) : List.of();
    }

    /** Fashion-MNIST from the default location, batch 64, 2 workers, crop + flip, normalized. */
    public static DataConfig defaults() {
        return new DataConfig(Source.FASHION_MNIST, null, List.of(), List.of(), null, 64, 2,
                defaultAugment(Source.FASHION_MNIST), 64, true, 0, false, null, 0.1);
    }
}
