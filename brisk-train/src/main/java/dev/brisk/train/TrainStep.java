package dev.brisk.train;

import dev.brisk.data.Batch;
import dev.brisk.dist.ddp.GradientSync;
import dev.brisk.dist.ddp.SyncStats;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.LossScaler;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.tensor.Autocast;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * One optimizer step over one or more micro-batches (gradient accumulation): for each micro-batch, forward and loss
 * under the precision policy's autocast, the loss scaled by 1/N (and by the fp16 loss scale), backward (gradients
 * add up in the F32 master parameters); then unscaling, the global gradient norm, optional clipping, a guard
 * against a non-finite loss, the optimizer update (skipped by the fp16 scaler on inf/NaN gradients) and clearing
 * the gradients. Every phase is timed so a run can say where its time goes.
 *
 * <p>Data-parallel training passes a {@link GradientSync} (a {@code DistributedDataParallel} over the same model):
 * every micro-batch but the last runs under {@link GradientSync#noSync()}, {@link GradientSync#beforeForward()}
 * precedes each forward, and {@link GradientSync#finishGradients()} averages the gradients across ranks after the
 * last backward, before unscaling, clipping and the update. A non-finite loss on any rank stops every rank at the
 * same point ({@link GradientSync#anyRank(boolean)}, one tiny collective per step before the last backward), so no
 * rank is left waiting in a collective. The gradient norm and clipping go through
 * {@link GradientSync#clipGradients}, and {@link GradientSync#afterOptimizerStep()} follows the update: under ZeRO
 * the optimizer owns only this rank's shard, so the norm is summed over ranks and the updated shards all-gathered.
 */
public final class TrainStep {

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Double clipGradNorm;
    private final Precision precision;
    private final LossScaler scaler;
    private final GradientSync sync;
    private long step;
    private long peakActivationBytes;
    private java.util.function.Consumer<dev.brisk.nn.memory.ActivationProfile> activationProbe;

    public TrainStep(Module model, Loss loss, Optimizer optimizer, Double clipGradNorm, Precision precision) {
        this(model, loss, optimizer, clipGradNorm, precision, GradientSync.none());
    }

    /** A step whose gradients are synchronised by {@code sync} (data-parallel training; see the class comment). */
    public TrainStep(Module model, Loss loss, Optimizer optimizer, Double clipGradNorm, Precision precision,
                     GradientSync sync) {
        this.sync = Objects.requireNonNull(sync, "sync");
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (clipGradNorm != null && !(clipGradNorm > 0)) {
            throw new IllegalArgumentException("clip_grad_norm must be positive, got " + clipGradNorm);
        }
        this.clipGradNorm = clipGradNorm;
        this.precision = Objects.requireNonNull(precision, "precision");
        this.scaler = precision.newLossScaler();
    }

    /** Optimizer steps taken so far (skipped fp16 steps count: they consumed their batches). */
    public long step() {
        return step;
    }

    /** Restores the step counter (resume). */
    public void setStep(long step) {
        this.step = step;
    }

    public LossScaler scaler() {
        return scaler;
    }

    /** Hands the per-layer activation profile of the next step's first micro-batch to {@code probe}, once. */
    public void probeActivationsOnce(java.util.function.Consumer<dev.brisk.nn.memory.ActivationProfile> probe) {
        this.activationProbe = probe;
    }

    /** The largest activation memory a step's graph held for backward so far (bytes). */
    public long peakActivationBytes() {
        return peakActivationBytes;
    }

    /**
     * Runs one optimizer step over {@code microBatches} (at least one); {@code dataMs} is the time already spent
     * waiting for them, reported in the result.
     */
    public StepResult run(List<Batch> microBatches, double dataMs) {
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one micro-batch");
        }
        long t0 = System.nanoTime();
        long fwd = 0;
        long bwd = 0;
        double lossSum = 0;
        int samples = 0;
        long tokens = 0;
        float scale = 1f / microBatches.size();
        model.train();
        int k = microBatches.size();
        double badLoss = Double.NaN;
        boolean bad = false;
        for (int i = 0; i < k; i++) {
            Batch b = microBatches.get(i);
            boolean lastMicro = i == k - 1;
            try (GradientSync.Scope unused = lastMicro ? GradientSync.Scope.NONE : sync.noSync()) {
                long a = System.nanoTime();
                sync.beforeForward();
                Tensor l;
                try (var ac = Autocast.enable(precision.computeType())) {
                    Tensor out = model.forward(b.inputs());
                    l = loss instanceof BatchLoss bl ? bl.apply(b.inputs(), out, b.targets())
                            : loss.apply(out, b.targets());
                }
                Tensor scaled = scaler.scale(k == 1 ? l : l.mul(scale));
                peakActivationBytes = Math.max(peakActivationBytes, Graph.savedActivationBytes(scaled));
                if (activationProbe != null) {
                    activationProbe.accept(dev.brisk.nn.memory.ActivationProfile.measure(model, scaled));
                    activationProbe = null;
                }
                long c = System.nanoTime();
                double lv = l.item();
                if (!Double.isFinite(lv) && !bad) {
                    bad = true;
                    badLoss = lv;
                }
                // every rank decides together, before the backward that would start the gradient all-reduce
                if (lastMicro && sync.anyRank(bad)) {
                    optimizer.zeroGrad();
                    throw new NonFiniteLossException(step + 1, bad ? badLoss : Double.NaN);
                }
                if (!bad) {
                    scaled.backward(); // a non-finite micro-batch's backward is pointless: the step is abandoned
                }
                long d = System.nanoTime();
                fwd += c - a;
                bwd += d - c;
                lossSum += lv;
                samples += b.inputs().size(0);
                tokens += b.targets().numel();
            }
        }
        long f = System.nanoTime();
        sync.finishGradients();
        SyncStats comm = sync.lastStep();
        long o = System.nanoTime();
        scaler.unscale(optimizer);
        // under ZeRO the optimizer holds this rank's gradient shard: the sync sums the norm over ranks
        double norm = sync.clipGradients(optimizer.namedParameters(), clipGradNorm);
        boolean stepped = scaler.step(optimizer);
        sync.afterOptimizerStep();
        scaler.update();
        optimizer.zeroGrad();
        long end = System.nanoTime();
        step++;
        double stepMs = (end - t0) / 1e6 + dataMs;
        return new StepResult(step, lossSum / k, norm, !stepped, samples, tokens, dataMs, fwd / 1e6, bwd / 1e6,
                (o - f) / 1e6, comm.commMs(), (end - o) / 1e6, stepMs);
    }
}
