package dev.brisk.data;

import dev.brisk.data.format.ImageDataset;
import dev.brisk.data.format.Mnist;
import dev.brisk.data.transform.Normalize;
import dev.brisk.data.transform.RandomCrop;
import dev.brisk.data.transform.RandomFlip;
import dev.brisk.data.transform.ToTensor;
import dev.brisk.tensor.Rng;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code dataloader} benchmark: Fashion-MNIST train (from {@link DataDir}, else synthetic images of the same
 * shape — the result says which), to-tensor + random crop (pad 2) + horizontal flip + normalize, batch 128,
 * shuffled, {@code workers} loader threads. The training thread only takes batches, so the rate is what the
 * input pipeline can deliver.
 */
public final class LoaderThroughput {

    public static final int BATCH = 128, PADDING = 2;
    public static final float MEAN = 0.2860f, STD = 0.3530f;

    /**
     * One measurement. {@code samplesPerSecond} and {@code batchesPerSecond} are over the whole measured window
     * (batches / wall time): a prefetching loader delivers in bursts, so the median time between deliveries is
     * reported separately as {@code medianBatchesPerSecond}, not used as the headline.
     */
    public record Result(String data, int workers, int batchSize, long batches, double seconds,
            double samplesPerSecond, double batchesPerSecond, double medianBatchesPerSecond) {}

    private LoaderThroughput() {}

    /** The standard augmentation pipeline of the benchmark (and of {@code brisk train}'s CNN). */
    public static Transform<Labeled<ByteImage>, Labeled<Image>> augmentation() {
        return Labeled.inputs(new ToTensor().andThen(new RandomCrop(28, 28, PADDING)).andThen(RandomFlip.horizontal())
                .andThen(Normalize.of(MEAN, STD)));
    }

    /** Runs on the real data when {@code dir} holds Fashion-MNIST, else on synthetic data. */
    public static Result run(Path dir, int workers, double warmupSeconds, double minSeconds, int minBatches) {
        boolean real = Mnist.present(dir);
        return run(real ? Mnist.train(dir) : synthetic(60_000, 1), real ? "fashion-mnist" : "synthetic", workers,
                warmupSeconds, minSeconds, minBatches);
    }

    /** Runs on {@code dataset}, labelled {@code data} in the result. */
    public static Result run(ImageDataset dataset, String data, int workers, double warmupSeconds, double minSeconds,
            int minBatches) {
        LoaderConfig config = LoaderConfig.of(BATCH, 1).withDropLast(true).withWorkers(workers);
        try (DataLoader loader = DataLoader.create(dataset, augmentation(), Collate.images(), config)) {
            int epoch = 0;
            long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            while (System.nanoTime() < warmEnd) {
                for (Batch b : loader.epoch(epoch++)) {
                    if (System.nanoTime() >= warmEnd) {
                        break;
                    }
                }
            }
            long[] gaps = new long[1024];
            int count = 0;
            long start = System.nanoTime(), last = start, end = start + (long) (minSeconds * 1e9);
            outer:
            while (true) {
                for (Batch b : loader.epoch(epoch++)) {
                    long now = System.nanoTime();
                    if (count == gaps.length) {
                        gaps = Arrays.copyOf(gaps, 2 * count);
                    }
                    gaps[count++] = now - last;
                    last = now;
                    if (now >= end && count >= minBatches) {
                        break outer;
                    }
                }
            }
            double seconds = (last - start) / 1e9;
            long[] sorted = Arrays.copyOf(gaps, count);
            Arrays.sort(sorted);
            double median = sorted[count / 2] / 1e9;
            return new Result(data, workers, BATCH, count, seconds, count * BATCH / seconds, count / seconds,
                    median > 0 ? 1 / median : Double.POSITIVE_INFINITY);
        }
    }

    /** {@code n} random 1×28×28 images with labels 0..9, the shape of Fashion-MNIST. */
    public static ImageDataset synthetic(int n, long seed) {
        Rng rng = new Rng(Seeds.derive(seed, Seeds.SYNTHETIC));
        byte[] pixels = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) rng.nextInt(10);
        }
        return new ImageDataset("synthetic", pixels, labels, 1, 28, 28, 10);
    }

    /** {@code java ... LoaderThroughput [workers] [seconds]}: prints one measurement. */
    public static void main(String[] args) {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        System.out.println(run(DataDir.resolve(), workers, 2, seconds, 50));
    }
}
