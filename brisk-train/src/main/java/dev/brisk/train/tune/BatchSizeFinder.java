package dev.brisk.train.tune;

import dev.brisk.data.Batch;
import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.nn.memory.ActivationProfile;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Storage;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.TrainStep;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.setup.DataSource;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the largest batch size whose training step fits a memory budget, and measures the throughput curve over
 * batch sizes so that the knee can be picked.
 *
 * <p>Batch sizes {@code minBatch}, 2×, 4×, … up to {@code maxBatch} or the training set's size are tried in order.
 * For each, real training steps run (the model trains: use a throwaway, as {@link #run(TrainConfig, Options,
 * PrintStream)} does) and the memory a step needs is <b>measured by accounting</b> rather than read off the heap
 * (heap occupancy between collections is mostly garbage):
 * <pre>
 *   parameters + gradients (F32, one per trainable parameter) + optimizer state (its slots × F32 parameters)
 *   + activations saved for backward at their peak (the graph of the loss right before backward, as
 *     {@link ActivationProfile}: distinct storages, parameters excluded)
 *   + workspace: 2 × the largest saved storage (backward holds an activation's gradient and its input's at once)
 *     + data-loader buffers: batch bytes × (workers × prefetch + 1)
 * </pre>
 * First, steps at the smallest size warm the JIT up for {@code warmupSeconds}. Then, per size, the activations are
 * measured during the first step's forward: when the total is over the budget the step is abandoned before
 * backward (the size is reported "over budget") and the search stops. The first step of a size that fits is the
 * size's warm-up; timed steps follow (at least one, and at least {@code minTimedSeconds}, data loading included)
 * for samples/s. Every size runs inside a catch of {@link OutOfMemoryError} with the JVM's heap limit as the hard
 * limit ("OOM", the search stops). A size is not run at all when its memory, extrapolated linearly in the batch
 * size from the previous one (exact for activations that scale with the batch), is more than 1.25 × the budget
 * ("over budget (est.)") or more than the heap ("over heap limit (est.)"); nor when it would end after
 * {@code timeLimitSeconds}.
 *
 * <p>The pick is the largest size that fits; the knee is the smallest fitting size within 10% of the best
 * fitting throughput.
 */
public final class BatchSizeFinder {

    /**
     * @param budgetBytes      the memory a step may need, > 0
     * @param minBatch         the first size tried, ≥ 1
     * @param maxBatch         the largest size tried (also capped by the training set), ≥ minBatch
     * @param warmupSeconds    steps at the first size before anything is measured (JIT warm-up; at least 2), ≥ 0
     * @param minTimedSeconds  per size, timed steps (at least one) continue until this much time has passed, ≥ 0
     * @param timeLimitSeconds no new size starts when it would end after this, > 0
     */
    public record Options(long budgetBytes, int minBatch, int maxBatch, double warmupSeconds, double minTimedSeconds,
                          double timeLimitSeconds) {

        public Options {
            if (budgetBytes <= 0) {
                throw new IllegalArgumentException("the memory budget must be positive, got " + budgetBytes);
            }
            if (minBatch < 1 || maxBatch < minBatch) {
                throw new IllegalArgumentException("batch sizes must satisfy 1 ≤ min ≤ max, got " + minBatch + ".."
                        + maxBatch);
            }
            if (!(warmupSeconds >= 0) || !(minTimedSeconds >= 0) || !(timeLimitSeconds > 0)) {
                throw new IllegalArgumentException("need warmupSeconds ≥ 0, minTimedSeconds ≥ 0 and "
                        + "timeLimitSeconds > 0");
            }
        }

        /** 16 up to 65536, 1 s of warm-up, ≥ 0.5 s of timed steps per size, 45 s in all. */
        public static Options of(long budgetBytes) {
            return new Options(budgetBytes, 16, 65536, 1, 0.5, 45);
        }

        public Options withBatchRange(int min, int max) {
            return new Options(budgetBytes, min, max, warmupSeconds, minTimedSeconds, timeLimitSeconds);
        }

        public Options withTiming(double warmup, double timed) {
            return new Options(budgetBytes, minBatch, maxBatch, warmup, timed, timeLimitSeconds);
        }

        public Options withTimeLimit(double seconds) {
            return new Options(budgetBytes, minBatch, maxBatch, warmupSeconds, minTimedSeconds, seconds);
        }
    }

    /** How a batch size fared. */
    public enum Fit {
        FITS("fits"), OVER_BUDGET("over budget"), OVER_BUDGET_EST("over budget (est.)"), OOM("OOM"),
        OVER_HEAP("over heap limit (est.)");

        private final String label;

        Fit(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One batch size: the memory a step needs (bytes, -1 when not measured) with its activation and workspace
     * (data-loader buffers included) parts, and samples/s (NaN when not timed).
     */
    public record Trial(int batchSize, long memoryBytes, long activationBytes, long workspaceBytes,
                        double samplesPerSecond, Fit fit) {
    }

    /**
     * @param fixedBytes parameters + gradients + optimizer state (the same at every size)
     * @param baseBytes  heap in use before the search (data sets, JVM), after a collection; not in the budget
     * @param pick       the largest batch size that fits, 0 when none does
     * @param knee       the smallest fitting size within 10% of the best fitting throughput, 0 when none fits
     */
    public record Result(long budgetBytes, long heapMaxBytes, long fixedBytes, long baseBytes, List<Trial> trials,
                         int pick, int knee, String stopReason, double seconds) {

        public Result {
            trials = List.copyOf(trials);
        }

        /** The table of every size tried, then the budget, the pick and the knee. */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%7s %12s %17s %11s  %s%n", "batch",
                    "memory MiB", "activations MiB", "samples/s", "note"));
            for (Trial t : trials) {
                sb.append(String.format(Locale.ROOT, "%7d %12s %17s %11s  %s%n", t.batchSize(), mib(t.memoryBytes()),
                        mib(t.activationBytes()), Double.isNaN(t.samplesPerSecond()) ? "-"
                                : String.format(Locale.ROOT, "%.1f", t.samplesPerSecond()), t.fit().label()));
            }
            sb.append(String.format(Locale.ROOT, "budget %s MiB (heap limit %s MiB; %s MiB in use before the search);"
                    + " fixed per step %s MiB (parameters, gradients, optimizer state)%n", mib(budgetBytes),
                    mib(heapMaxBytes), mib(baseBytes), mib(fixedBytes)));
            sb.append(pick == 0 ? "pick: none — even the smallest batch is over the budget\n"
                    : String.format(Locale.ROOT, "pick: batch %d (the largest that fits); knee: batch %d (within 10%% "
                            + "of the best throughput)%n", pick, knee));
            sb.append("stopped: ").append(stopReason).append(String.format(Locale.ROOT, " (%.1f s)%n", seconds));
            return sb.toString();
        }
    }

    private BatchSizeFinder() {
    }

    // ---- budgets ----------------------------------------------------------------------------------------------

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?",
            Pattern.CASE_INSENSITIVE);

    /**
     * A memory size: a number of bytes, or a number with a binary unit k, m, g or t (also kb/kib, mb/mib, …; any
     * case): {@code 1g} = 2^30 bytes, {@code 512m}, {@code 2048k}, {@code 1.5g}, {@code 1073741824}.
     *
     * @throws IllegalArgumentException naming the input and the accepted forms
     */
    public static long parseBytes(String text) {
        String forms = "; write a size such as 1g, 512m, 2048k or a number of bytes";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("memory size is empty" + forms);
        }
        String s = text.strip();
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("memory size '" + text + "' is negative" + forms);
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("memory size '" + text + "' is not understood" + forms);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double v = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (v >= 0x1p63) {
            throw new IllegalArgumentException("memory size '" + text + "' is too large" + forms);
        }
        long bytes = (long) Math.floor(v);
        if (shift == 0 && m.group(1).contains(".")) {
            throw new IllegalArgumentException("memory size '" + text + "' has a fraction of a byte" + forms);
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException("memory size '" + text + "' must be more than 0 bytes" + forms);
        }
        return bytes;
    }

    /** The default budget: the JVM's heap limit less a 25% margin (garbage, JVM, data set). */
    public static long defaultBudget() {
        long max = Runtime.getRuntime().maxMemory();
        if (max == Long.MAX_VALUE) {
            throw new IllegalStateException("the JVM has no heap limit; give a memory budget explicitly");
        }
        return max - max / 4;
    }

    // ---- search -----------------------------------------------------------------------------------------------

    /**
     * Searches on a fresh {@link TrainingRun} of {@code config}: its model, loss, optimizer, precision, clipping and
     * training data (batch size aside, with the configured workers and drop-last so every batch is full).
     */
    public static Result run(TrainConfig config, Options options, PrintStream console) {
        try (TrainingRun run = new TrainingRun(config, false)) {
            DataSource<?, ?> data = run.trainData();
            LoaderConfig base = data.loaderConfig(config.data(), config.seed());
            IntFunction<DataLoader> loaders = b -> data.loader(new LoaderConfig(b, true, base.sampler(), base.seed(),
                    base.workers(), base.prefetch()));
            return run(run.model(), run.loss(), run.optimizer(), config.precision(), config.clipGradNorm(), loaders,
                    data.size(), options, console);
        }
    }

    /**
     * Searches with the given pieces; {@code loaders} makes a loader of full batches of the given size (closed
     * here). The model and optimizer state are restored afterwards.
     *
     * @param console the table and progress lines; may be null
     */
    public static Result run(Module model, Loss loss, Optimizer optimizer, Precision precision, Double clipGradNorm,
                             IntFunction<DataLoader> loaders, int datasetSize, Options options, PrintStream console) {
        Objects.requireNonNull(options, "options");
        Map<String, Tensor> modelState = LrRangeTest.snapshot(model.stateDict());
        Map<String, Tensor> optimState = LrRangeTest.snapshot(optimizer.stateDict());
        boolean wasTraining = model.isTraining();
        try {
            return new Search(model, loss, optimizer, precision, clipGradNorm, loaders, datasetSize, options,
                    console).run();
        } finally {
            optimizer.zeroGrad();
            model.loadStateDict(modelState, true);
            optimizer.loadStateDict(optimState);
            model.train(wasTraining);
        }
    }

    /** Thrown from inside the first forward of a size whose step is over the budget, before backward. */
    private static final class OverBudget extends RuntimeException {
        OverBudget() {
            super(null, null, false, false);
        }
    }

    private static final class Search {
        private final Module model;
        private final Loss loss;
        private final Optimizer optimizer;
        private final Precision precision;
        private final Double clip;
        private final IntFunction<DataLoader> loaders;
        private final int datasetSize;
        private final Options o;
        private final PrintStream console;
        private final long fixed;
        private final long heapMax = Runtime.getRuntime().maxMemory();

        // the measurement of the size in progress, filled by the probing loss on its first call
        private boolean probing;
        private long loaderBytes;
        private long activations = -1;
        private long workspace = -1;
        private long total = -1;

        Search(Module model, Loss loss, Optimizer optimizer, Precision precision, Double clip,
               IntFunction<DataLoader> loaders, int datasetSize, Options o, PrintStream console) {
            this.model = model;
            this.loss = loss;
            this.optimizer = optimizer;
            this.precision = precision;
            this.clip = clip;
            this.loaders = loaders;
            this.datasetSize = datasetSize;
            this.o = o;
            this.console = console;
            this.fixed = fixedBytes(model, optimizer);
        }

        Result run() {
            long t0 = System.nanoTime();
            System.gc();
            Runtime rt = Runtime.getRuntime();
            long base = rt.totalMemory() - rt.freeMemory();
            int cap = Math.min(o.maxBatch(), datasetSize);
            List<Integer> sizes = new ArrayList<>();
            for (long b = o.minBatch(); b <= cap; b *= 2) {
                sizes.add((int) b);
            }
            if (sizes.isEmpty()) {
                if (cap < 1) {
                    throw new IllegalArgumentException("the training data is empty");
                }
                sizes.add(cap);
            }
            if (console != null) {
                console.printf(Locale.ROOT, "batch-size search: sizes %d..%d, budget %s MiB, heap limit %s MiB%n",
                        sizes.getFirst(), sizes.getLast(), mib(o.budgetBytes()), mib(heapMax));
            }
            Loss probe = (in, target) -> {
                Tensor l = loss.apply(in, target);
                if (probing) {
                    probing = false;
                    measure(l);
                    if (total > o.budgetBytes()) {
                        throw new OverBudget();
                    }
                }
                return l;
            };
            List<Trial> trials = new ArrayList<>();
            String stop = "tried every size up to " + sizes.getLast()
                    + (cap == datasetSize && cap < o.maxBatch() ? " (the training set's size caps it)" : "");
            warmUp(sizes.getFirst());
            Trial prev = null;
            double prevStepSeconds = 0;
            for (int b : sizes) {
                double elapsed = (System.nanoTime() - t0) / 1e9;
                if (prev != null) {
                    long perSample = Math.max(0, (prev.memoryBytes() - fixed) / prev.batchSize());
                    long predicted = fixed + perSample * b;
                    if (base + predicted > heapMax) {
                        trials.add(new Trial(b, predicted, -1, -1, Double.NaN, Fit.OVER_HEAP));
                        stop = "batch " + b + " would need about " + mib(predicted) + " MiB, more than the heap";
                        break;
                    }
                    if (predicted > o.budgetBytes() + o.budgetBytes() / 4) {
                        trials.add(new Trial(b, predicted, -1, -1, Double.NaN, Fit.OVER_BUDGET_EST));
                        stop = "batch " + b + " would need about " + mib(predicted) + " MiB, well over the budget";
                        break;
                    }
                    double stepSeconds = prevStepSeconds * b / prev.batchSize();
                    double nextSeconds = stepSeconds + Math.max(stepSeconds, o.minTimedSeconds());
                    if (elapsed + nextSeconds > o.timeLimitSeconds()) {
                        stop = String.format(Locale.ROOT, "time limit: batch %d would take about %.0f s more "
                                + "(limit %.0f s)", b, nextSeconds, o.timeLimitSeconds());
                        break;
                    }
                }
                double[] stepSeconds = new double[1];
                Trial t = trial(b, probe, stepSeconds);
                trials.add(t);
                if (console != null) {
                    console.printf(Locale.ROOT, "  batch %6d: %9s MiB  %10s samples/s  %s%n", b, mib(t.memoryBytes()),
                            Double.isNaN(t.samplesPerSecond()) ? "-"
                                    : String.format(Locale.ROOT, "%.1f", t.samplesPerSecond()), t.fit().label());
                }
                if (t.fit() != Fit.FITS) {
                    stop = t.fit() == Fit.OOM ? "out of memory at batch " + b + " (heap limit " + mib(heapMax)
                            + " MiB)" : "batch " + b + " is over the budget";
                    break;
                }
                prev = t;
                prevStepSeconds = stepSeconds[0];
            }
            int pick = 0;
            double bestRate = 0;
            for (Trial t : trials) {
                if (t.fit() == Fit.FITS) {
                    pick = Math.max(pick, t.batchSize());
                    bestRate = Math.max(bestRate, t.samplesPerSecond());
                }
            }
            int knee = 0;
            for (Trial t : trials) {
                if (t.fit() == Fit.FITS && t.samplesPerSecond() >= 0.9 * bestRate) {
                    knee = t.batchSize();
                    break;
                }
            }
            Result r = new Result(o.budgetBytes(), heapMax, fixed, base, trials, pick, knee, stop,
                    (System.nanoTime() - t0) / 1e9);
            if (console != null) {
                console.println();
                console.print(r.table());
            }
            return r;
        }

        /** Trains at {@code batch} for {@code warmupSeconds} (at least 2 steps), unmeasured: JIT warm-up. */
        private void warmUp(int batch) {
            if (o.warmupSeconds() <= 0) {
                return;
            }
            TrainStep step = new TrainStep(model, loss, optimizer, clip, precision);
            try (DataLoader loader = loaders.apply(batch)) {
                Feed feed = new Feed(loader);
                long start = System.nanoTime();
                for (int n = 0; n < 2 || (System.nanoTime() - start) / 1e9 < o.warmupSeconds() && n < 1000; n++) {
                    step.run(List.of(feed.next()), 0);
                }
            }
        }

        /** Runs one size; {@code stepSeconds[0]} gets its step time. */
        private Trial trial(int b, Loss probe, double[] stepSeconds) {
            activations = workspace = total = -1;
            TrainStep step = new TrainStep(model, probe, optimizer, clip, precision);
            try (DataLoader loader = loaders.apply(b)) {
                Feed feed = new Feed(loader);
                Batch first = feed.next();
                loaderBytes = batchBytes(first) * (Math.max(1, loader.config().workers() * loader.config().prefetch())
                        + 1);
                probing = true;
                try {
                    step.run(List.of(first), 0);
                } catch (OverBudget e) {
                    optimizer.zeroGrad();
                    return new Trial(b, total, activations, workspace, Double.NaN, Fit.OVER_BUDGET);
                }
                first = null;
                long start = System.nanoTime();
                int n = 0;
                while (n < 1 || (System.nanoTime() - start) / 1e9 < o.minTimedSeconds() && n < 1000) {
                    step.run(List.of(feed.next()), 0);
                    n++;
                }
                double secs = (System.nanoTime() - start) / 1e9;
                stepSeconds[0] = secs / n;
                return new Trial(b, total, activations, workspace, (double) b * n / secs, Fit.FITS);
            } catch (OutOfMemoryError e) {
                optimizer.zeroGrad();
                System.gc();
                return new Trial(b, total, activations, workspace, Double.NaN, Fit.OOM);
            } finally {
                probing = false;
            }
        }

        /** Fills activations, workspace and total from the graph under {@code loss}. */
        private void measure(Tensor l) {
            activations = ActivationProfile.measure(model, l).total().bytes();
            Set<Storage> params = Collections.newSetFromMap(new IdentityHashMap<>());
            model.parameters().forEach(p -> params.add(p.storage()));
            long largest = 0;
            for (Graph.Recorded op : Graph.recorded(l)) {
                op.leaves().forEach(p -> params.add(p.storage()));
                for (Tensor s : op.saved()) {
                    if (!params.contains(s.storage())) {
                        largest = Math.max(largest, s.storage().byteSize());
                    }
                }
            }
            workspace = 2 * largest + loaderBytes;
            total = fixed + activations + workspace;
        }
    }

    /** Cycles through epochs of a loader. */
    private static final class Feed {
        private final DataLoader loader;
        private int epoch;
        private Iterator<Batch> it;

        Feed(DataLoader loader) {
            this.loader = loader;
            this.it = loader.epoch(0).iterator();
        }

        Batch next() {
            if (!it.hasNext()) {
                it = loader.epoch(++epoch).iterator();
                if (!it.hasNext()) {
                    throw new IllegalStateException("the loader gives no full batch of " + loader.config().batchSize());
                }
            }
            return it.next();
        }
    }

    /** Parameters + one F32 gradient per trainable parameter + the optimizer's F32 slots per trainable parameter. */
    static long fixedBytes(Module model, Optimizer optimizer) {
        long params = 0;
        long trainable = 0;
        Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : model.parameters()) {
            if (seen.add(p.storage())) {
                params += p.storage().byteSize();
                if (p.requiresGrad()) {
                    trainable += p.numel();
                }
            }
        }
        long state = 0;
        for (Tensor t : optimizer.stateDict().values()) {
            state += t.storage().byteSize();
        }
        long slots = (long) optimizer.rule().stateSlots().size() * 4 * trainable;
        return params + 4 * trainable + Math.max(state, slots);
    }

    private static long batchBytes(Batch b) {
        return b.inputs().storage().byteSize() + b.targets().storage().byteSize();
    }

    static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
