package dev.brisk.cli;

import dev.brisk.data.DataFileException;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.tune.BatchSizeFinder;
import dev.brisk.train.tune.LrRangeTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brisk tune lr [CONFIG]} (learning-rate range test: CSV and PNG of the curve, the suggested lr) and
 * {@code brisk tune batch [CONFIG]} (the largest batch that fits a memory budget, and samples/s per batch size).
 * Both run on a fresh model built from the config; nothing is trained for real.
 */
@Command(name = "tune", description = "Find a learning rate (tune lr) or a batch size (tune batch) for a config, "
        + "or search hyperparameters (tune search).",
        subcommands = {TuneCommand.Lr.class, TuneCommand.Batch.class, TuneSearchCommand.class})
final class TuneCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The config file and overrides both subcommands take. */
    static final class ConfigOptions {
        @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "YAML config (default: built-in)")
        Path configFile;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, e.g. model=cnn")
        List<String> sets = new ArrayList<>();

        TrainConfig load(Main.RuntimeOptions runtime) {
            TrainConfig config = RunDirs.load(configFile, sets);
            if (config.threads() != null && runtime.threads == null) {
                Parallel.setThreads(config.threads());
            }
            runtime.apply();
            return config;
        }
    }

    @Command(name = "lr", description = "Learning-rate range test: lr rises geometrically over a short run; writes "
            + "lr_range.csv and lr_range.png and suggests the lr of the steepest loss descent.")
    static final class Lr implements Callable<Integer> {

        @Mixin
        ConfigOptions config = new ConfigOptions();

        @Option(names = "--run-dir", paramLabel = "DIR", description = "output directory (default runs/<timestamp>)")
        Path runDir;

        @Option(names = "--steps", paramLabel = "N", description = "steps from min to max lr (default 100)")
        int steps = 100;

        @Option(names = "--min-lr", paramLabel = "LR", description = "first learning rate (default 1e-7)")
        double minLr = 1e-7;

        @Option(names = "--max-lr", paramLabel = "LR", description = "last learning rate (default 10)")
        double maxLr = 10;

        @Mixin
        Main.RuntimeOptions runtime = new Main.RuntimeOptions();

        @Override
        public Integer call() throws IOException {
            TrainConfig c = config.load(runtime);
            LrRangeTest.Options o;
            try {
                o = LrRangeTest.Options.defaults().withSteps(steps).withRange(minLr, maxLr);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage() + " (--steps, --min-lr, --max-lr)");
            }
            Path dir = runDir != null ? runDir : RunDirs.fresh();
            RunDirs.writeConfig(dir, c);
            System.out.printf(Locale.ROOT, "brisk tune lr: %s, %s, lr %.1e..%.1e over %d steps of batch %d%n",
                    c.model().kind().key(), c.optim().name(), o.minLr(), o.maxLr(), o.steps(), c.samplesPerStep());
            LrRangeTest.Result r;
            try {
                r = LrRangeTest.run(c, o, System.out);
            } catch (DataFileException e) {
                throw new UsageException(e.getMessage());
            }
            Path csv = dir.resolve("lr_range.csv");
            Path png = dir.resolve("lr_range.png");
            LrRangeTest.writeCsv(r, csv);
            LrRangeTest.writePlot(r, png, 900, 560);
            System.out.printf("curve: %s, plot: %s%n", csv, png);
            System.out.printf(Locale.ROOT, "train with: --set optim.lr=%.3g%n", r.suggestedLr());
            return 0;
        }
    }

    @Command(name = "batch", description = "Find the largest batch size whose training step fits a memory budget,"
            + " with samples/s per batch size.")
    static final class Batch implements Callable<Integer> {

        @Mixin
        ConfigOptions config = new ConfigOptions();

        @Option(names = "--memory-budget", paramLabel = "SIZE",
                description = "memory a step may use: 2g, 512m, 2048k or bytes (default: the heap limit less 25%%)")
        String budget;

        @Option(names = "--max-batch", paramLabel = "N", description = "largest batch size to try (default 65536)")
        int maxBatch = 65536;

        @Option(names = "--time-limit", paramLabel = "S", description = "stop trying larger sizes after about S "
                + "seconds (default 45)")
        double timeLimit = 45;

        @Mixin
        Main.RuntimeOptions runtime = new Main.RuntimeOptions();

        @Override
        public Integer call() {
            TrainConfig c = config.load(runtime);
            BatchSizeFinder.Options o;
            try {
                long bytes = budget == null ? BatchSizeFinder.defaultBudget() : BatchSizeFinder.parseBytes(budget);
                o = BatchSizeFinder.Options.of(bytes).withBatchRange(Math.min(16, maxBatch), maxBatch)
                        .withTimeLimit(timeLimit);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UsageException("--memory-budget: " + e.getMessage());
            }
            System.out.printf(Locale.ROOT, "brisk tune batch: %s, %s, precision %s, %d threads%n",
                    c.model().kind().key(), c.optim().name(), c.precision(), Parallel.threads());
            BatchSizeFinder.Result r;
            try {
                r = BatchSizeFinder.run(c, o, System.out);
            } catch (DataFileException e) {
                throw new UsageException(e.getMessage());
            }
            if (r.pick() > 0) {
                System.out.printf("train with: --set batch_size=%d%n", r.pick());
                return 0;
            }
            return 1;
        }
    }
}
