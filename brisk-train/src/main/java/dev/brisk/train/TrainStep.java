package dev.brisk.train;

import dev.brisk.data.Batch;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.Optimizer;
import dev.brisk.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * One optimizer step over one or more micro-batches (gradient accumulation): for each micro-batch, forward, loss
 * scaled by 1/N and backward (gradients add up in the parameters); then the global gradient norm, optional
 * clipping, a guard against a non-finite loss, the optimizer update and clearing the gradients. Every phase is
 * timed so a run can say where its time goes.
 */
public final class TrainStep {

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Double clipGradNorm;
    private final List<Tensor> params;
    private long step;

    public TrainStep(Module model, Loss loss, Optimizer optimizer, Double clipGradNorm) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (clipGradNorm != null && !(clipGradNorm > 0)) {
            throw new IllegalArgumentException("clip_grad_norm must be positive, got " + clipGradNorm);
        }
        this.clipGradNorm = clipGradNorm;
        this.params = model.parameters();
    }

    /** Optimizer steps taken so far. */
    public long step() {
        return step;
    }

    /** Restores the step counter (resume). */
    public void setStep(long step) {
        this.step = step;
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
            Tensor out = model.forward(b.inputs());
            Tensor l = loss.apply(out, b.targets());
            Tensor scaled = microBatches.size() == 1 ? l : l.mul(scale);
            long c = System.nanoTime();
            scaled.backward();
            long d = System.nanoTime();
            fwd += c - a;
            bwd += d - c;
            double lv = l.item();
            if (!Double.isFinite(lv)) {
                optimizer.zeroGrad();
                throw new NonFiniteLossException(step + 1, lv);
            }
            lossSum += lv;
            samples += b.inputs().size(0);
            tokens += b.targets().numel();
        }
        long o = System.nanoTime();
        double norm = GradNorms.global(params);
        if (clipGradNorm != null) {
            GradNorms.clip(params, norm, clipGradNorm);
        }
        optimizer.step();
        optimizer.zeroGrad();
        long end = System.nanoTime();
        step++;
        double stepMs = (end - t0) / 1e6 + dataMs;
        return new StepResult(step, lossSum / microBatches.size(), norm, false, samples, tokens, dataMs, fwd / 1e6,
                bwd / 1e6, (end - o) / 1e6, stepMs);
    }
}
