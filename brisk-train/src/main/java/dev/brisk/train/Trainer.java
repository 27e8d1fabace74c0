package dev.brisk.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.Batch;
import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderPosition;
import dev.brisk.dist.ddp.GradientSync;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The training loop. Each step draws {@code accumulation} batches (timing the wait), sets the learning rate from
 * the schedule, and runs a {@link TrainStep}; around it the loop logs metrics, evaluates, checkpoints, stops early
 * and stops on a non-finite loss — all on the cadences of the {@link TrainPlan}. State that a resume needs (step,
 * loader position, early-stopping counters; the model and optimizer state dicts) goes into every checkpoint, so a
 * resumed run continues bit-identically.
 *
 * <p><b>Data-parallel training</b> passes a {@link GradientSync} (see {@link TrainStep}); every rank runs this loop
 * over its own shard, with loaders that give every rank the same number of batches. Only rank 0 should be given a
 * run directory and a console (metrics, checkpoints and progress come from it alone; the replicas are identical).
 * Every rank that has a test loader evaluates the whole test split locally, without communication, so that the
 * decisions taken on evaluations (plateau schedules, early stopping, stop targets) are the same on every rank;
 * after each evaluation the ranks also agree on whether to stop ({@link GradientSync#anyRank(boolean)}), so one
 * rank never stops alone.
 */
public final class Trainer {

    /** How the run ended. */
    public record Summary(long steps, int epochs, double lastLoss, Evaluation lastEval, String stopReason,
                          double seconds) {
    }

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final LearningRate schedule;
    private final DataLoader train;
    private final DataLoader test;
    private final TrainPlan plan;
    private final Path runDir;
    private final ObjectNode config;
    private final double trainFlopsPerSample;
    private final double peakFlops;
    private final PrintStream console;
    private final TrainStep trainStep;
    private final GradientSync sync;

    /** Key prefixes of the loss-scaler and schedule state inside optimizer.safetensors. */
    private static final String SCALER = "__scaler__.";
    private static final String LR = "__lr__.";

    private LoaderPosition position = new LoaderPosition(0, 0);
    private double bestEvalLoss = Double.POSITIVE_INFINITY;
    private int evalsWithoutImprovement;
    private MetricsLog metrics;
    private java.util.function.Predicate<Evaluation> stopWhen = e -> false;
    private boolean targetReached;
    private boolean peerStopped;
    private long lastEvalStep = -1;
    private dev.brisk.nn.memory.ActivationProfile pendingMemory;
    private final List<TrainerCallback> callbacks = new ArrayList<>();

    /**
     * @param test                may be null (no evaluation)
     * @param runDir              may be null (no metrics file, no checkpoints)
     * @param trainFlopsPerSample forward + backward FLOPs per sample, for MFU (0 when unknown)
     * @param peakFlops           the machine's FP32 peak in FLOP/s, for MFU
     */
    public Trainer(Module model, Loss loss, Optimizer optimizer, LearningRate schedule, Precision precision,
                   DataLoader train, DataLoader test, TrainPlan plan, Path runDir, ObjectNode config,
                   double trainFlopsPerSample, double peakFlops, PrintStream console) {
        this(model, loss, optimizer, schedule, precision, train, test, plan, runDir, config, trainFlopsPerSample,
                peakFlops, console, GradientSync.none());
    }

    /**
     * A trainer whose steps synchronise gradients through {@code sync} (data-parallel training; see the class
     * comment).
     */
    public Trainer(Module model, Loss loss, Optimizer optimizer, LearningRate schedule, Precision precision,
                   DataLoader train, DataLoader test, TrainPlan plan, Path runDir, ObjectNode config,
                   double trainFlopsPerSample, double peakFlops, PrintStream console, GradientSync sync) {
        this.sync = Objects.requireNonNull(sync, "sync");
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.train = Objects.requireNonNull(train, "train loader");
        this.test = test;
        this.plan = Objects.requireNonNull(plan, "plan");
        this.runDir = runDir;
        this.config = config == null ? MetricsLog.object() : config;
        this.trainFlopsPerSample = trainFlopsPerSample;
        this.peakFlops = peakFlops;
        this.console = console;
        this.trainStep = new TrainStep(model, loss, optimizer, plan.clipGradNorm(), precision, sync);
    }

    public long step() {
        return trainStep.step();
    }

    /**
     * Prints the memory breakdown (parameters, gradients, optimizer state, activations per layer, by dtype) after the
     * first step and writes it to metrics.jsonl as a {@code "kind": "memory"} record.
     */
    public void reportMemory() {
        trainStep.probeActivationsOnce(acts -> pendingMemory = acts);
    }

    /** Stops training after the first evaluation that satisfies {@code condition} (e.g. a target accuracy). */
    public void stopWhen(java.util.function.Predicate<Evaluation> condition) {
        this.stopWhen = Objects.requireNonNull(condition, "condition");
    }

    /** Adds a hook into the loop (see {@link TrainerCallback}); callbacks run in the order they were added. */
    public void addCallback(TrainerCallback callback) {
        callbacks.add(Objects.requireNonNull(callback, "callback"));
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The run directory, or null when the run writes no files. */
    public Path runDir() {
        return runDir;
    }

    /** The step engine (peak activation memory, loss scaler). */
    public TrainStep trainStep() {
        return trainStep;
    }

    /**
     * Continues from a checkpoint: model, optimizer (with loss-scaler and schedule state), step, loader position and
     * early-stopping state.
     */
    public void restore(Checkpoints.Loaded c) {
        model.loadStateDict(c.model(), true);
        Map<String, Tensor> opt = new LinkedHashMap<>();
        Map<String, Tensor> scalerState = new LinkedHashMap<>();
        Map<String, Tensor> lrState = new LinkedHashMap<>();
        c.optimizer().forEach((k, v) -> {
            if (k.startsWith(SCALER)) {
                scalerState.put(k.substring(SCALER.length()), v);
            } else if (k.startsWith(LR)) {
                lrState.put(k.substring(LR.length()), v);
            } else {
                opt.put(k, v);
            }
        });
        sync.loadOptimizerState(optimizer, opt);
        if (!scalerState.isEmpty()) {
            trainStep.scaler().loadStateDict(scalerState);
        }
        schedule.loadStateDict(lrState);
        ObjectNode t = c.trainer();
        trainStep.setStep(t.path("step").asLong());
        position = new LoaderPosition(t.path("epoch").asInt(), t.path("batch").asInt());
        bestEvalLoss = t.path("best_eval_loss").isNumber() ? t.path("best_eval_loss").asDouble()
                : Double.POSITIVE_INFINITY;
        evalsWithoutImprovement = t.path("evals_without_improvement").asInt();
    }

    public Summary fit() {
        long t0 = System.nanoTime();
        if (runDir != null) {
            metrics = new MetricsLog(runDir.resolve("metrics.jsonl"));
        }
        Progress progress = new Progress(console, train.batchesPerEpoch(), plan.accumulation());
        Iterator<Batch> batches = train.from(position).iterator();
        int epoch = position.epoch();
        int batchInEpoch = position.batch();
        StepResult last = null;
        Evaluation lastEval = null;
        String stop = "reached " + plan.totalSteps() + " steps";
        try {
            for (TrainerCallback cb : callbacks) {
                cb.onFitStart(this);
            }
            while (trainStep.step() < plan.totalSteps()) {
                List<Batch> micro = new ArrayList<>(plan.accumulation());
                long wait = 0;
                boolean epochEnded = false;
                while (micro.size() < plan.accumulation()) {
                    long a = System.nanoTime();
                    if (!batches.hasNext()) {
                        epochEnded = true;
                        epoch++;
                        batchInEpoch = 0;
                        batches = train.epoch(epoch).iterator();
                        if (!batches.hasNext()) {
                            throw new IllegalStateException("the training data has no batches (dataset smaller than"
                                    + " one batch with drop_last?)");
                        }
                        if (micro.isEmpty()) {
                            lastEval = endOfEpoch(epoch - 1, last, lastEval, progress);
                            if (stoppedEarly()) {
                                stop = stopReason();
                                break;
                            }
                            epochEnded = false;
                        }
                    }
                    micro.add(batches.next());
                    batchInEpoch++;
                    wait += System.nanoTime() - a;
                }
                if (micro.isEmpty() || stoppedEarly()) {
                    break;
                }
                double lr = schedule.at(trainStep.step());
                optimizer.setLr(lr);
                last = trainStep.run(micro, wait / 1e6);
                position = new LoaderPosition(epoch, batchInEpoch);
                for (TrainerCallback cb : callbacks) {
                    cb.afterStep(this, last);
                }
                if (pendingMemory != null) {
                    writeMemoryReport(pendingMemory, progress);
                    pendingMemory = null;
                }
                progress.step(epoch, batchInEpoch, last, lr);
                if (last.step() % plan.logEverySteps() == 0 || last.step() == 1) {
                    ObjectNode record = MetricsLog.stepRecord(last, epoch, lr, mfu(last), heapBytes());
                    for (TrainerCallback cb : callbacks) {
                        cb.beforeStepRecord(this, last, record); // on every rank: may be collective
                    }
                    if (metrics != null) {
                        metrics.write(record);
                    }
                }
                if (plan.evalEverySteps() != null && last.step() % plan.evalEverySteps() == 0) {
                    lastEval = evaluate(epoch, last.step());
                }
                if (plan.checkpointEverySteps() != null && last.step() % plan.checkpointEverySteps() == 0
                        && checkpointing()) {
                    checkpoint(epoch);
                }
                if (epochEnded) {
                    lastEval = endOfEpoch(epoch - 1, last, lastEval, progress);
                }
                if (stoppedEarly()) {
                    stop = stopReason();
                    break;
                }
            }
            progress.finish();
            if (test != null && lastEvalStep != trainStep.step()) {
                lastEval = evaluate(epoch, trainStep.step());
            }
            if (checkpointing()) {
                checkpoint(epoch);
            }
        } catch (NonFiniteLossException e) {
            progress.finish();
            if (metrics != null) {
                ObjectNode o = MetricsLog.object();
                o.put("kind", "error");
                o.put("step", e.step());
                o.put("message", e.getMessage());
                metrics.write(o);
            }
            notifyError(e);
            throw e;
        } catch (RuntimeException | Error e) {
            notifyError(e);
            throw e;
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Summary summary = new Summary(trainStep.step(), epoch, last == null ? Double.NaN : last.loss(), lastEval,
                stop, secs);
        for (TrainerCallback cb : callbacks) {
            cb.onFitEnd(this, summary);
        }
        return summary;
    }

    private void notifyError(Throwable error) {
        for (TrainerCallback cb : callbacks) {
            try {
                cb.onFitError(this, error);
            } catch (RuntimeException | Error e) {
                error.addSuppressed(e);
            }
        }
    }

    private boolean stoppedEarly() {
        return targetReached || peerStopped
                || plan.earlyStoppingPatience() != null && evalsWithoutImprovement >= plan.earlyStoppingPatience();
    }

    private String stopReason() {
        return targetReached ? "evaluation target reached"
                : peerStopped ? "another rank stopped after an evaluation"
                : "early stopping: no improvement in " + plan.earlyStoppingPatience() + " evaluations";
    }

    private Evaluation endOfEpoch(int epoch, StepResult last, Evaluation lastEval, Progress progress) {
        progress.finish();
        Evaluation e = lastEval;
        if (plan.evalEveryEpoch() && test != null) {
            e = evaluate(epoch + 1, trainStep.step());
        }
        if (console != null) {
            console.printf(Locale.ROOT, "epoch %d done: step %d, train loss %.4f%s%n", epoch + 1, trainStep.step(),
                    last == null ? Double.NaN : last.loss(), e == null ? "" : String.format(Locale.ROOT,
                            ", test loss %.4f, test accuracy %.4f", e.loss(), e.accuracy()));
        }
        if (plan.checkpointEveryEpoch() && checkpointing()) {
            checkpoint(epoch + 1);
        }
        return e;
    }

    private void writeMemoryReport(dev.brisk.nn.memory.ActivationProfile acts, Progress progress) {
        var report = dev.brisk.nn.memory.MemoryReport.of(model, optimizer.stateDict(), acts);
        progress.finish();
        if (console != null) {
            console.println(report.toText(8));
        }
        if (metrics != null) {
            try {
                ObjectNode o = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(report.toJson(8));
                o.put("kind", "memory");
                o.put("step", trainStep.step());
                metrics.write(o);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("memory report is not valid JSON", e);
            }
        }
    }

    private Evaluation evaluate(int epoch, long step) {
        Evaluation e = Evaluation.run(model, loss, test);
        lastEvalStep = step;
        schedule.afterEvaluation(e);
        targetReached |= stopWhen.test(e);
        for (TrainerCallback cb : callbacks) {
            cb.afterEvaluation(this, step, e);
        }
        if (e.loss() < bestEvalLoss) {
            bestEvalLoss = e.loss();
            evalsWithoutImprovement = 0;
        } else {
            evalsWithoutImprovement++;
        }
        // collective (every rank evaluates at the same steps): all ranks stop together or none does
        if (sync.anyRank(stoppedEarly()) && !stoppedEarly()) {
            peerStopped = true;
        }
        if (metrics != null) {
            ObjectNode o = MetricsLog.object();
            o.put("kind", "eval");
            o.put("step", step);
            o.put("epoch", epoch);
            o.put("eval_loss", e.loss());
            o.put("eval_accuracy", e.accuracy());
            metrics.write(o);
        }
        return e;
    }

    /**
     * Whether this rank takes part in checkpoints: the rank that writes them, and every rank when the optimizer state
     * is sharded (ZeRO), since gathering it is collective. The same answer on every rank in the second case.
     */
    private boolean checkpointing() {
        return runDir != null || sync.shardsOptimizerState();
    }

    private void checkpoint(int epoch) {
        Map<String, Tensor> optimizerState = sync.optimizerState(optimizer);
        if (runDir == null) {
            return; // a rank that only contributed its shard
        }
        ObjectNode t = MetricsLog.object();
        t.put("step", trainStep.step());
        t.put("epoch", position.epoch());
        t.put("batch", position.batch());
        if (Double.isFinite(bestEvalLoss)) {
            t.put("best_eval_loss", bestEvalLoss);
        }
        t.put("evals_without_improvement", evalsWithoutImprovement);
        t.put("lr", optimizer.lr());
        t.set("config", config);
        try {
            Map<String, Tensor> opt = new LinkedHashMap<>(optimizerState);
            if (trainStep.scaler().isEnabled()) {
                trainStep.scaler().stateDict().forEach((k, v) -> opt.put(SCALER + k, v));
            }
            schedule.stateDict().forEach((k, v) -> opt.put(LR + k, v));
            Checkpoints.save(runDir, trainStep.step(), model.stateDict(), opt, t, plan.keepCheckpoints());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint at step " + trainStep.step() + " in "
                    + runDir + " (" + e.getMessage() + "); earlier checkpoints are intact", e);
        }
    }

    private double mfu(StepResult r) {
        if (trainFlopsPerSample <= 0 || peakFlops <= 0 || r.stepMs() <= 0) {
            return 0;
        }
        return trainFlopsPerSample * r.samples() / (r.stepMs() / 1e3) / peakFlops;
    }

    private static long heapBytes() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
