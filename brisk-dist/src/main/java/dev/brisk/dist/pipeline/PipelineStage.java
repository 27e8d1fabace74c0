package dev.brisk.dist.pipeline;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One stage of a pipeline-parallel model: rank s of the pipeline group runs layers {@code [start(s), end(s))}
 * ({@link StagePartition}) and exchanges activations (forward) and their gradients (backward) with ranks s−1 and
 * s+1. A training step ({@link #step}) cuts the batch into m equal micro-batches along dimension 0, runs the
 * schedule's forward and backward passes, then steps the optimizer once — on every stage or on none.
 *
 * <p>Loss scaling. The last stage divides each micro-batch's (mean-reduced) loss by m, so the accumulated
 * gradients equal those of the whole batch's mean loss, and multiplies it by the loss scale when mixed precision
 * uses one; {@link #finishStep} divides the gradients by that scale before the optimizer runs.
 *
 * <p>Skipped steps. After the backwards each stage checks its own gradients for inf/NaN; one all-reduce of
 * {@code {non-finite count, loss}} over the pipeline group tells every stage whether any stage saw one, and then
 * all stages skip the optimizer step together (their gradients are dropped), so the stages' weights never diverge
 * from one optimizer step to the other.
 *
 * <p>Every rank of the group must call {@link #step} with the same number of micro-batches; only stage 0 reads the
 * inputs and only the last stage the targets (others may pass null). Communication is blocking and ordered by the
 * schedule; sends are buffered by the process group (a send completes once its payload is copied, before the
 * peer reads it), so two stages sending each other activations and gradients at once cannot deadlock.
 */
public final class PipelineStage {

    private final ProcessGroup group;
    private final Module module;
    private final PipelineSchedule schedule;
    private final int microBatches;
    private final Loss loss;
    private final TensorLink link;

    private Map<Integer, InFlight> inFlight;
    private Tensor[] lossesOfStep;
    private long busyNanos;
    private long startNanos;
    private int peakInFlight;
    private long peakActivationBytes;
    private long heldActivationBytes;
    private double lossSum;

    /** What one micro-batch keeps between its forward and its backward on this stage. */
    private record InFlight(Tensor input, Tensor output, long bytes) {
    }

    /**
     * @param group  the pipeline group: rank s is stage s, size is the number of stages
     * @param module this stage's layers
     * @param loss   applied on the last stage to (output, target) of each micro-batch; mean-reduced
     */
    public PipelineStage(ProcessGroup group, Module module, PipelineSchedule schedule, int microBatches, Loss loss) {
        this.group = Objects.requireNonNull(group, "group");
        this.module = Objects.requireNonNull(module, "module");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.loss = Objects.requireNonNull(loss, "loss");
        if (microBatches < 1) {
            throw new IllegalArgumentException("micro-batches must be >= 1, got " + microBatches);
        }
        this.microBatches = microBatches;
        this.link = new TensorLink(group);
    }

    public int stage() {
        return group.rank();
    }

    public int stages() {
        return group.size();
    }

    public Module module() {
        return module;
    }

    public boolean isFirst() {
        return stage() == 0;
    }

    public boolean isLast() {
        return stage() == stages() - 1;
    }

    /** {@link #runSchedule} then {@link #finishStep}: one full training step. */
    public StepReport step(Tensor inputs, Tensor targets, float lossScale, Runnable optimizerStep) {
        runSchedule(inputs, targets, lossScale);
        return finishStep(lossScale, optimizerStep);
    }

    /**
     * Clears this stage's gradients and runs every forward and backward of the schedule, leaving the step's
     * gradients (times {@code lossScale}) on this stage's parameters.
     */
    public void runSchedule(Tensor inputs, Tensor targets, float lossScale) {
        if (!(lossScale > 0) || Float.isInfinite(lossScale)) {
            throw new IllegalArgumentException("loss scale must be finite and > 0, got " + lossScale);
        }
        Tensor[] xs = isFirst() ? split(Objects.requireNonNull(inputs, "stage 0 needs the inputs"), "inputs") : null;
        Tensor[] ys = isLast() ? split(Objects.requireNonNull(targets, "the last stage needs the targets"),
                "targets") : null;
        module.zeroGrad();
        inFlight = new HashMap<>();
        lossesOfStep = new Tensor[microBatches];
        busyNanos = 0;
        peakInFlight = 0;
        peakActivationBytes = 0;
        heldActivationBytes = 0;
        lossSum = 0;
        startNanos = System.nanoTime();
        for (PipelineSchedule.Action a : schedule.actions(stages(), stage(), microBatches)) {
            if (a.forward()) {
                forward(a.microBatch(), xs, ys, lossScale);
            } else {
                backward(a.microBatch());
            }
        }
        if (!inFlight.isEmpty()) {
            throw new IllegalStateException("schedule left micro-batches " + inFlight.keySet() + " without backward");
        }
    }

    /**
     * Agrees with every stage on whether the step is finite and, if so, unscales the gradients and runs
     * {@code optimizerStep}; otherwise drops the gradients on every stage. Returns the step's report.
     */
    public StepReport finishStep(float lossScale, Runnable optimizerStep) {
        long scheduleNanos = System.nanoTime() - startNanos;
        List<Tensor> params = module.parameters();
        int nonFinite = 0;
        for (Tensor p : params) {
            if (p.grad() != null && !allFinite(p.grad())) {
                nonFinite++;
            }
        }
        float[] agree = {nonFinite, isLast() ? (float) lossSum : 0f};
        group.allReduce(agree, Reduction.SUM);
        boolean skipped = agree[0] > 0;
        if (skipped) {
            module.zeroGrad();
        } else {
            if (lossScale != 1f) {
                try (var g = GradMode.noGrad()) {
                    for (Tensor p : params) {
                        if (p.grad() != null) {
                            p.setGrad(p.grad().mul(1f / lossScale));
                        }
                    }
                }
            }
            if (optimizerStep != null) {
                optimizerStep.run();
            }
        }
        double bubble = scheduleNanos == 0 ? 0 : 1 - busyNanos / (double) scheduleNanos;
        return new StepReport(stage(), stages(), microBatches, schedule, agree[1], skipped, nonFinite > 0,
                scheduleNanos / 1e9, busyNanos / 1e9, bubble, PipelineSchedule.idealBubble(stages(), microBatches),
                peakInFlight, peakActivationBytes);
    }

    private void forward(int mb, Tensor[] xs, Tensor[] ys, float lossScale) {
        Tensor in = isFirst() ? xs[mb] : link.recv(TensorLink.ACTIVATION, mb, stage() - 1).requiresGrad(true);
        long t0 = System.nanoTime();
        Tensor out = module.forward(in);
        if (isLast()) {
            Tensor l = loss.apply(out, ys[mb]);
            lossSum += l.item() / microBatches;
            out = l.mul(lossScale / microBatches);
        }
        long bytes = Graph.savedActivationBytes(out);
        busyNanos += System.nanoTime() - t0;
        inFlight.put(mb, new InFlight(in, out, bytes));
        heldActivationBytes += bytes;
        peakInFlight = Math.max(peakInFlight, inFlight.size());
        peakActivationBytes = Math.max(peakActivationBytes, heldActivationBytes);
        if (!isLast()) {
            link.send(TensorLink.ACTIVATION, mb, out.detach(), stage() + 1);
        }
    }

    private void backward(int mb) {
        InFlight f = inFlight.remove(mb);
        if (f == null) {
            throw new IllegalStateException("backward of micro-batch " + mb + " before its forward on stage " + stage());
        }
        Tensor grad = isLast() ? null : link.recv(TensorLink.GRADIENT, mb, stage() + 1);
        long t0 = System.nanoTime();
        if (grad == null) {
            f.output().backward();
        } else {
            f.output().backward(grad);
        }
        busyNanos += System.nanoTime() - t0;
        heldActivationBytes -= f.bytes();
        if (!isFirst()) {
            Tensor g = f.input().grad();
            if (g == null) {
                throw new IllegalStateException("stage " + stage() + " output does not depend on its input");
            }
            link.send(TensorLink.GRADIENT, mb, g, stage() - 1);
        }
    }

    private Tensor[] split(Tensor batch, String what) {
        int rows = batch.size(0);
        if (rows % microBatches != 0) {
            throw new IllegalArgumentException("pipeline " + what + ": batch of " + rows + " rows does not split into "
                    + microBatches + " equal micro-batches");
        }
        int per = rows / microBatches;
        Tensor[] out = new Tensor[microBatches];
        for (int i = 0; i < microBatches; i++) {
            out[i] = batch.narrow(0, i * per, per).contiguous();
        }
        return out;
    }

    private static boolean allFinite(Tensor t) {
        for (float v : t.toFloatArray()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
