package dev.brisk.train;

import dev.brisk.data.Batch;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.GradClip;
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
 */
public final class TrainStep {

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Double clipGradNorm;
    private final Precision precision;
    private final LossScaler scaler;
    private long step;
    private long peakActivationBytes;
    private java.util.function.Consumer<dev.brisk.nn.memory.ActivationProfile> activationProbe;

    public TrainStep(Module model, Loss loss, Optimizer optimizer, Double clipGradNorm, Precision precision) {
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
        for (Batch b : microBatches) {
            long a = System.nanoTime();
            Tensor l;
            try (var ac = Autocast.enable(precision.computeType())) {
                l = loss.apply(model.forward(b.inputs()), b.targets());
            }
            Tensor scaled = scaler.scale(microBatches.size() == 1 ? l : l.mul(scale));
            peakActivationBytes = Math.max(peakActivationBytes, Graph.savedActivationBytes(scaled));
            if (activationProbe != null) {
                activationProbe.accept(dev.brisk.nn.memory.ActivationProfile.measure(model, scaled));
                activationProbe = null;
            }
            long c = System.nanoTime();
            double lv = l.item();
            if (!Double.isFinite(lv)) {
                optimizer.zeroGrad();
                throw new NonFiniteLossException(step + 1, lv);
            }
            scaled.backward();
            long d = System.nanoTime();
            fwd += c - a;
            bwd += d - c;
            lossSum += lv;
            samples += b.inputs().size(0);
            tokens += b.targets().numel();
        }
        long o = System.nanoTime();
        scaler.unscale(optimizer);
        var params = optimizer.namedParameters();
        double norm = clipGradNorm != null ? GradClip.byGlobalNorm(params, clipGradNorm) : GradClip.globalNorm(params);
        boolean stepped = scaler.step(optimizer);
        scaler.update();
        optimizer.zeroGrad();
        long end = System.nanoTime();
        step++;
        double stepMs = (end - t0) / 1e6 + dataMs;
        return new StepResult(step, lossSum / microBatches.size(), norm, !stepped, samples, tokens, dataMs, fwd / 1e6,
                bwd / 1e6, (end - o) / 1e6, stepMs);
    }
}
