package dev.brisk.cli;

import dev.brisk.compress.TrainingCompression;
import dev.brisk.data.DataFileException;
import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Rendezvous;
import dev.brisk.monitor.RunMonitoring;
import dev.brisk.monitor.profile.ProfileWindow;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.MachinePeak;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.Evaluation;
import dev.brisk.train.NonFiniteLossException;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brisk train [CONFIG] [--set k=v ...] [--run-dir DIR] [--resume RUN_DIR]}. Under {@code brisk launch}
 * (WORLD_SIZE &gt; 1) every process joins the group and trains one model data-parallel: each rank reads its shard of
 * every epoch (global batch = WORLD_SIZE × batch_size), gradients are averaged each step, and rank 0 alone writes
 * the run directory (config, metrics, checkpoints) and prints progress. {@code --resume} is read by every rank.
 * When {@code brisk launch --max-restarts} restarts the job after a worker died, a run given {@code --run-dir}
 * resumes from that directory's latest checkpoint.
 */
@Command(name = "train", description = "Train a model (default: cnn-bn on Fashion-MNIST); see brisk-train/CONFIG.md.")
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "YAML config (default: built-in)")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, e.g. steps=100")
    List<String> sets = new ArrayList<>();

    @Option(names = "--run-dir", paramLabel = "DIR", description = "output directory (default runs/<timestamp>)")
    Path runDir;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a run from its last checkpoint")
    Path resume;

    @Option(names = "--profile", description = "write a Chrome trace (trace.json) of steps 5..14, or of the steps "
            + "--set profile.steps=FROM:TO names")
    boolean profile;

    @Mixin
    Main.RuntimeOptions runtime = new Main.RuntimeOptions();

    /**
     * Fault injection for testing restarts: under {@code brisk launch}, rank {@code BRISK_FAULT_RANK} (default 1)
     * of generation 0 dies abruptly (as if killed) right after optimizer step {@code BRISK_FAULT_EXIT_AT_STEP}. With
     * {@code BRISK_FAULT_KILL_IN_CHECKPOINT=STEP}, rank {@code BRISK_FAULT_RANK} (default 0, the rank that writes
     * checkpoints) of generation 0 sends itself SIGKILL in the middle of writing checkpoint STEP: its model and
     * optimizer files staged, {@code trainer.json} and the commit not yet done.
     */
    static final String FAULT_STEP = "BRISK_FAULT_EXIT_AT_STEP";
    static final String FAULT_CHECKPOINT = "BRISK_FAULT_KILL_IN_CHECKPOINT";
    static final String FAULT_RANK = "BRISK_FAULT_RANK";
    static final int FAULT_STATUS = 43;

    private DistEnv env;

    @Override
    public Integer call() throws IOException {
        env = DistEnv.fromEnv();
        if (env.worldSize() > 1) {
            try (ProcessGroup group = Rendezvous.join(env)) {
                return train(group);
            }
        }
        return train(null);
    }

    /**
     * A restarted generation ({@code brisk launch --max-restarts}) of a run given {@code --run-dir} continues from
     * that directory's latest checkpoint, as if {@code --resume} had been given; every rank reads the same one
     * (the previous generation has stopped, so the directory no longer changes).
     */
    private Path restartFrom() throws IOException {
        if (resume != null || runDir == null || env == null || env.generation() == 0) {
            return resume;
        }
        return Checkpoints.latest(runDir).isPresent() ? runDir : null;
    }

    /** A fault-injection variable's value as a non-negative integer; a clear error naming it otherwise. */
    static int parseFaultVariable(String name, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("environment variable " + name + " must be a non-negative integer, got '" + value
                + "'");
    }

    private void injectFault(Trainer trainer, int rank) {
        if (env == null || env.generation() != 0) {
            return;
        }
        String r = System.getenv(FAULT_RANK);
        String inCheckpoint = System.getenv(FAULT_CHECKPOINT);
        if (inCheckpoint != null && rank == (r == null ? 0 : parseFaultVariable(FAULT_RANK, r))) {
            long step = parseFaultVariable(FAULT_CHECKPOINT, inCheckpoint);
            Checkpoints.onStaged((s, staging) -> {
                if (s == step) {
                    System.out.println("fault injection: rank " + rank + " killed (SIGKILL) while writing checkpoint "
                            + step + " (" + staging.getFileName() + " staged, not committed)");
                    System.out.flush();
                    killThisProcess();
                }
            });
        }
        String at = System.getenv(FAULT_STEP);
        if (at == null || rank != (r == null ? 1 : parseFaultVariable(FAULT_RANK, r))) {
            return;
        }
        long step = parseFaultVariable(FAULT_STEP, at);
        trainer.addCallback(new dev.brisk.train.TrainerCallback() {
            @Override
            public void afterStep(Trainer t, dev.brisk.train.StepResult result) {
                if (result.step() == step) {
                    System.out.println("fault injection: rank " + rank + " exits after step " + step);
                    System.out.flush();
                    Runtime.getRuntime().halt(FAULT_STATUS);
                }
            }
        });
    }

    /** SIGKILL to this JVM, as {@code kill -9} from outside would: no shutdown hooks, files left as they are. */
    private static void killThisProcess() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start()
                    .waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            Thread.sleep(10_000); // the signal is on its way
        } catch (IOException e) {
            // no kill(1) here: halting is the nearest thing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(FAULT_STATUS);
    }

    /** Trains as one rank of {@code group} (null: a single process). */
    private int train(ProcessGroup group) throws IOException {
        int rank = group == null ? 0 : group.rank();
        boolean lead = rank == 0;
        java.io.PrintStream console = lead ? System.out : null;
        ProfileWindow window = ProfileWindow.extract(sets);
        if (profile && window == null) {
            window = ProfileWindow.DEFAULT;
        }
        TrainConfig config;
        Path dir;
        Optional<Path> checkpoint = Optional.empty();
        Path resume = restartFrom();
        if (resume != null) {
            config = configFile != null ? RunDirs.load(configFile, sets) : RunDirs.loadFromRun(resume, sets);
            dir = resume;
            checkpoint = Checkpoints.latest(resume);
            if (checkpoint.isEmpty()) {
                throw new UsageException(resume + " has no complete checkpoint to resume from");
            }
        } else {
            config = RunDirs.load(configFile, sets);
            dir = runDir != null ? runDir : lead ? RunDirs.fresh() : null;
        }
        if (config.threads() != null && runtime.threads == null) {
            Parallel.setThreads(config.threads());
        }
        runtime.apply();
        if (lead) {
            RunDirs.writeConfig(dir, config);
        }
        try (TrainingRun run = new TrainingRun(config, true, group)) {
            Module model = run.model();
            MachinePeak peak = MachinePeak.detect();
            if (lead) {
                System.out.printf(Locale.ROOT, "brisk train: %s on %s (%,d train / %,d test samples)%n",
                        config.model().kind().key(), run.trainData(), run.trainData().size(), run.testData().size());
                if (group != null) {
                    System.out.printf(Locale.ROOT, "  data-parallel over %d processes: global batch %d (%d per"
                            + " rank)%n", group.size(), group.size() * config.data().batchSize(),
                            config.data().batchSize());
                    if (config.dist().zero() > 0) {
                        System.out.printf("  ZeRO stage %d: optimizer state%s sharded across the ranks%n",
                                config.dist().zero(), config.dist().zero() == 2 ? " and gradients" : "");
                    }
                }
                System.out.printf(Locale.ROOT, "  %,d parameters, %.1f MFLOP per trained sample, %d steps, precision"
                        + " %s, %d threads, backend %s%n  run directory %s%n", model.numParameters(),
                        run.trainFlopsPerSample() / 1e6, run.plan().totalSteps(), config.precision(),
                        Parallel.threads(), Kernels.get().backend().name(), dir.toAbsolutePath());
            }
            TrainingCompression compression;
            try {
                compression = TrainingCompression.of(config, run); // quant.qat and distill.teacher
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (lead && TrainingCompression.requested(config)) {
                System.out.printf(Locale.ROOT, "  %s%s%n", config.quant().qat() ? "quantization-aware training " : "",
                        config.distill().enabled() ? "distilling from " + config.distill().teacher() + " (T="
                                + config.distill().temperature() + ", alpha=" + config.distill().alpha() + ")" : "");
            }
            Trainer trainer = new Trainer(compression.model(), compression.loss(), run.optimizer(), run.schedule(),
                    config.precision(),
                    run.trainLoader(), run.testLoader(), run.plan(), lead ? dir : null, null,
                    run.trainFlopsPerSample(), peak.gflops() * 1e9, console, run.gradientSync());
            injectFault(trainer, rank);
            if (lead) {
                RunMonitoring.attach(trainer, config, group == null ? 1 : group.size(), run.trainFlopsPerSample(),
                        peak.gflops() * 1e9, console, window);
            }
            RunMonitoring.attachToEveryRank(trainer, group);
            compression.callbacks().forEach(trainer::addCallback);
            if (config.report().memory() && lead) {
                trainer.reportMemory();
            }
            if (checkpoint.isPresent()) {
                trainer.restore(Checkpoints.load(checkpoint.get()));
                if (lead) {
                    System.out.printf("  resumed from %s (step %d)%n", checkpoint.get(), trainer.step());
                }
            }
            Trainer.Summary s = trainer.fit();
            if (!lead) {
                return 0;
            }
            if (run.zeroMemory() != null) {
                System.out.println("  " + run.zeroMemory());
            }
            Evaluation e = s.lastEval();
            System.out.printf(Locale.ROOT, "done: %d steps in %.1f s (%s); final train loss %.4f%s%n", s.steps(),
                    s.seconds(), s.stopReason(), s.lastLoss(), e == null ? "" : String.format(Locale.ROOT,
                            ", test loss %.4f, test accuracy %.4f", e.loss(), e.accuracy()));
            System.out.printf("metrics: %s, checkpoints: %s%n", dir.resolve("metrics.jsonl"), Checkpoints.dirOf(dir));
            return 0;
        } catch (DataFileException e) {
            throw new UsageException(e.getMessage());
        } catch (NonFiniteLossException e) {
            if (!lead) {
                return 1;
            }
            System.err.println("brisk: " + e.getMessage());
            System.err.println("brisk: the last good checkpoint is in " + Checkpoints.dirOf(dir)
                    + "; resume with --resume " + dir);
            return 1;
        }
    }
}
