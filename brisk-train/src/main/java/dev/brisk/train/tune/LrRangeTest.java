package dev.brisk.train.tune;

import dev.brisk.data.Batch;
import dev.brisk.data.DataLoader;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.NonFiniteLossException;
import dev.brisk.train.StepResult;
import dev.brisk.train.TrainStep;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The learning-rate range test (Leslie Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; the
 * fastai {@code lr_find}): a short run whose learning rate grows geometrically from {@code minLr} to {@code maxLr}
 * over {@code steps} optimizer steps, one batch (times the configured accumulation) per step. The loss of each step
 * is smoothed by an exponential moving average with bias correction ({@code s_t = β s_{t-1} + (1-β) l_t},
 * reported as {@code s_t / (1 - β^t)}); the run stops early when the smoothed loss exceeds {@code divergence} × its
 * best so far, or when a loss is not finite.
 *
 * <p>Two readings of the curve are returned: the <b>steepest descent</b> — the learning rate where the smoothed loss
 * falls fastest against log lr (the suggestion) — and the lr of the lowest smoothed loss divided by 10 (the other
 * common rule of thumb). The slope is the central difference of the smoothed loss over ln lr, searched from
 * {@code skipStart} points in (the first EMA points are noisy) up to the lowest smoothed loss; when the loss never
 * falls there, the suggestion falls back to min-loss / 10.
 *
 * <p>The test trains, so it never runs on the caller's state unprotected: {@link #run(TrainConfig, Options,
 * PrintStream)} builds a fresh {@link TrainingRun} from the config, and {@link #run(Module, Loss, Optimizer,
 * Precision, Double, int, DataLoader, Options, PrintStream)} puts the model's state dict, the optimizer's state and
 * lr back afterwards.
 */
public final class LrRangeTest {

    /**
     * @param minLr      the first learning rate, > 0
     * @param maxLr      the last, > minLr
     * @param steps      optimizer steps from minLr to maxLr, ≥ 2
     * @param beta       EMA factor of the smoothed loss, in [0, 1)
     * @param divergence stop once the smoothed loss exceeds this × its best, > 1
     * @param skipStart  points at the start that the steepest-slope search ignores, ≥ 0
     */
    public record Options(double minLr, double maxLr, int steps, double beta, double divergence, int skipStart) {

        public Options {
            if (!(minLr > 0) || !Double.isFinite(minLr)) {
                throw new IllegalArgumentException("the minimum lr must be a finite number > 0, got " + minLr);
            }
            if (!(maxLr > minLr) || !Double.isFinite(maxLr)) {
                throw new IllegalArgumentException("the maximum lr must be finite and above the minimum lr ("
                        + minLr + "), got " + maxLr);
            }
            if (steps < 2) {
                throw new IllegalArgumentException("the range test needs at least 2 steps, got " + steps);
            }
            if (!(beta >= 0 && beta < 1)) {
                throw new IllegalArgumentException("the smoothing beta must be in [0, 1), got " + beta);
            }
            if (!(divergence > 1)) {
                throw new IllegalArgumentException("the divergence factor must be > 1, got " + divergence);
            }
            if (skipStart < 0) {
                throw new IllegalArgumentException("skipStart must be ≥ 0, got " + skipStart);
            }
        }

        /** 1e-7 to 10 over 100 steps, β 0.98, stop at 4× the best loss, skip the first 5 points. */
        public static Options defaults() {
            return new Options(1e-7, 10, 100, 0.98, 4, 5);
        }

        public Options withRange(double min, double max) {
            return new Options(min, max, steps, beta, divergence, skipStart);
        }

        public Options withSteps(int n) {
            return new Options(minLr, maxLr, n, beta, divergence, Math.min(skipStart, Math.max(0, n / 10)));
        }

        /** The learning rate of step {@code i} (0-based): minLr · (maxLr/minLr)^(i/(steps-1)). */
        public double lrAt(int i) {
            return minLr * Math.pow(maxLr / minLr, (double) i / (steps - 1));
        }
    }

    /** One step of the curve: the lr it trained with, its raw loss and the bias-corrected smoothed loss. */
    public record Point(int step, double lr, double loss, double smoothedLoss) {
    }

    /**
     * @param curve         the steps run, in order
     * @param suggestedLr   the lr at the steepest descent of the smoothed loss (min-loss / 10 if it never falls)
     * @param steepestIndex the curve index of the suggestion, -1 when it is the fallback
     * @param minLossLr     the lr of the lowest smoothed loss
     * @param stopReason    why the test ended
     * @param diverged      whether it ended on divergence (rather than reaching maxLr)
     */
    public record Result(Options options, List<Point> curve, double suggestedLr, int steepestIndex, double minLossLr,
                         String stopReason, boolean diverged, double seconds) {

        public Result {
            curve = List.copyOf(curve);
        }

        /** The lr of the lowest smoothed loss divided by 10. */
        public double minLossLrOver10() {
            return minLossLr / 10;
        }

        /** A short human summary. */
        public String summary() {
            return String.format(Locale.ROOT, "lr range test: %d steps, lr %.2e..%.2e, %s (%.1f s)%n"
                            + "  suggested lr (steepest descent): %.3e%s%n"
                            + "  lr at the lowest loss: %.3e (/10: %.3e)%n", curve.size(), options.minLr(),
                    curve.isEmpty() ? options.minLr() : curve.getLast().lr(), stopReason, seconds, suggestedLr,
                    steepestIndex < 0 ? "  (loss never fell; this is min-loss / 10)" : "", minLossLr,
                    minLossLrOver10());
        }
    }

    private LrRangeTest() {
    }

    /**
     * Runs the test on a fresh {@link TrainingRun} of {@code config} (its model, optimizer, loss, precision,
     * accumulation, clipping and training data; no test split, no schedule), so nothing else is touched.
     */
    public static Result run(TrainConfig config, Options options, PrintStream console) {
        try (TrainingRun run = new TrainingRun(config, false)) {
            return run(run.model(), run.loss(), run.optimizer(), config.precision(), config.clipGradNorm(),
                    config.accumulation(), run.trainLoader(), options, console);
        }
    }

    /**
     * Runs the test on the given pieces, then restores the model's state dict and the optimizer's state and lr as
     * they were.
     *
     * @param console progress and summary lines; may be null
     */
    public static Result run(Module model, Loss loss, Optimizer optimizer, Precision precision, Double clipGradNorm,
                             int accumulation, DataLoader train, Options options, PrintStream console) {
        Objects.requireNonNull(options, "options");
        if (accumulation < 1) {
            throw new IllegalArgumentException("accumulation must be at least 1, got " + accumulation);
        }
        Map<String, Tensor> modelState = snapshot(model.stateDict());
        Map<String, Tensor> optimState = snapshot(optimizer.stateDict());
        double lr0 = optimizer.lr();
        boolean wasTraining = model.isTraining();
        try {
            return measure(model, loss, optimizer, precision, clipGradNorm, accumulation, train, options, console);
        } finally {
            optimizer.zeroGrad();
            model.loadStateDict(modelState, true);
            optimizer.loadStateDict(optimState);
            optimizer.setLr(lr0);
            model.train(wasTraining);
        }
    }

    private static Result measure(Module model, Loss loss, Optimizer optimizer, Precision precision,
                                  Double clipGradNorm, int accumulation, DataLoader train, Options o,
                                  PrintStream console) {
        long t0 = System.nanoTime();
        TrainStep step = new TrainStep(model, loss, optimizer, clipGradNorm, precision);
        List<Point> curve = new ArrayList<>(o.steps());
        int epoch = 0;
        Iterator<Batch> batches = train.epoch(epoch).iterator();
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        String stop = "reached the maximum lr";
        boolean diverged = false;
        for (int i = 0; i < o.steps(); i++) {
            List<Batch> micro = new ArrayList<>(accumulation);
            while (micro.size() < accumulation) {
                if (!batches.hasNext()) {
                    batches = train.epoch(++epoch).iterator();
                    if (!batches.hasNext()) {
                        throw new IllegalStateException("the training data has no batches (dataset smaller than one"
                                + " batch with drop_last?)");
                    }
                }
                micro.add(batches.next());
            }
            double lr = o.lrAt(i);
            optimizer.setLr(lr);
            StepResult r;
            try {
                r = step.run(micro, 0);
            } catch (NonFiniteLossException e) {
                stop = String.format(Locale.ROOT, "diverged: non-finite loss at lr %.2e", lr);
                diverged = true;
                break;
            }
            avg = o.beta() * avg + (1 - o.beta()) * r.loss();
            double smoothed = avg / (1 - Math.pow(o.beta(), i + 1));
            curve.add(new Point(i, lr, r.loss(), smoothed));
            if (console != null && (i + 1) % Math.max(1, o.steps() / 10) == 0) {
                console.printf(Locale.ROOT, "  step %4d/%d  lr %.2e  loss %.4f  smoothed %.4f%n", i + 1, o.steps(), lr,
                        r.loss(), smoothed);
            }
            if (i > 0 && smoothed > o.divergence() * best) {
                stop = String.format(Locale.ROOT, "diverged: smoothed loss %.4g > %.3g × best %.4g at lr %.2e",
                        smoothed, o.divergence(), best, lr);
                diverged = true;
                break;
            }
            best = Math.min(best, smoothed);
        }
        if (curve.isEmpty()) {
            throw new IllegalStateException("the lr range test diverged at its first step (lr " + o.minLr()
                    + "); lower --min-lr");
        }
        double[] lrs = curve.stream().mapToDouble(Point::lr).toArray();
        double[] smooth = curve.stream().mapToDouble(Point::smoothedLoss).toArray();
        int minIndex = argMin(smooth);
        int steep = steepestDescent(lrs, smooth, o.skipStart());
        double minLossLr = lrs[minIndex];
        double suggested = steep >= 0 ? lrs[steep] : minLossLr / 10;
        Result res = new Result(o, curve, suggested, steep, minLossLr, stop, diverged, (System.nanoTime() - t0) / 1e9);
        if (console != null) {
            console.print(res.summary());
        }
        return res;
    }

    /**
     * The index of the steepest descent of {@code loss} against ln {@code lr}: the most negative slope (central
     * differences, one-sided at the ends) among indices from {@code skipStart} up to the lowest loss; -1 when no
     * slope there is negative. {@code lr} must increase.
     */
    public static int steepestDescent(double[] lr, double[] loss, int skipStart) {
        if (lr.length != loss.length) {
            throw new IllegalArgumentException("lr and loss differ in length: " + lr.length + " vs " + loss.length);
        }
        int n = loss.length;
        if (n < 2) {
            return -1;
        }
        int end = argMin(loss);
        int start = Math.min(skipStart, Math.max(0, end - 1));
        int best = -1;
        double bestSlope = 0;
        for (int i = start; i <= end; i++) {
            int a = Math.max(0, i - 1);
            int b = Math.min(n - 1, i + 1);
            double dx = Math.log(lr[b]) - Math.log(lr[a]);
            if (!(dx > 0)) {
                throw new IllegalArgumentException("lr must increase; it does not at index " + a);
            }
            double slope = (loss[b] - loss[a]) / dx;
            if (slope < bestSlope) {
                bestSlope = slope;
                best = i;
            }
        }
        return best;
    }

    private static int argMin(double[] v) {
        int m = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[m]) {
                m = i;
            }
        }
        return m;
    }

    static Map<String, Tensor> snapshot(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var s = GradMode.noGrad()) {
            state.forEach((k, v) -> out.put(k, v.detach().copy()));
        }
        return out;
    }

    // ---- outputs ----------------------------------------------------------------------------------------------

    /** The CSV header of {@link #writeCsv}. */
    public static final String CSV_HEADER = "step,lr,loss,smoothed_loss";

    /** Writes the curve as CSV ({@link #CSV_HEADER}, one row per step), atomically. */
    public static void writeCsv(Result result, Path file) throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Point p : result.curve()) {
            sb.append(String.format(Locale.ROOT, "%d,%.6e,%.6f,%.6f%n", p.step(), p.lr(), p.loss(), p.smoothedLoss()));
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the plot ({@link LrPlot}) as a PNG of {@code width} × {@code height} pixels. */
    public static void writePlot(Result result, Path file, int width, int height) throws IOException {
        LrPlot.write(result, file, width, height);
    }
}
