package dev.brisk.monitor.report;

import dev.brisk.train.StepResult;

/**
 * Running sums of where the training steps' time went. The first {@code warmupSteps} steps are left out of the
 * sums (the JIT compiles the kernels during them, so they would understate the steady-state throughput) unless
 * the run has no other steps.
 */
public final class StepTotals {

    private final int warmupSteps;
    private final StepTotals warmup;
    private long steps;
    private long samples;
    private double stepMs;
    private double dataMs;
    private double fwdMs;
    private double bwdMs;
    private double commExposedMs;
    private double commTotalMs;
    private double optMs;

    public StepTotals(int warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be ≥ 0, got " + warmupSteps);
        }
        this.warmupSteps = warmupSteps;
        this.warmup = warmupSteps > 0 ? new StepTotals(0) : null;
    }

    public void add(StepResult r) {
        if (warmup != null && warmup.steps < warmupSteps) {
            warmup.add(r);
            return;
        }
        steps++;
        samples += r.samples();
        stepMs += r.stepMs();
        dataMs += r.dataMs();
        fwdMs += r.fwdMs();
        bwdMs += r.bwdMs();
        commExposedMs += r.commMs();
        commTotalMs += Math.max(r.commTotalMs(), r.commMs());
        optMs += r.optMs();
    }

    /** The steady-state sums, or the warm-up's when there were no steps after it. */
    public StepTotals steady() {
        return steps == 0 && warmup != null ? warmup : this;
    }

    /** Every step, warm-up included. */
    public double allStepMs() {
        return stepMs + (warmup == null ? 0 : warmup.stepMs);
    }

    public long steps() {
        return steps;
    }

    public long samples() {
        return samples;
    }

    public double stepMs() {
        return stepMs;
    }

    public double dataMs() {
        return dataMs;
    }

    public double fwdMs() {
        return fwdMs;
    }

    public double bwdMs() {
        return bwdMs;
    }

    public double commExposedMs() {
        return commExposedMs;
    }

    public double commTotalMs() {
        return commTotalMs;
    }

    public double optMs() {
        return optMs;
    }

    /** Step time not in data, forward, backward, exposed communication or the optimizer. */
    public double otherMs() {
        return Math.max(0, stepMs - dataMs - fwdMs - bwdMs - commExposedMs - optMs);
    }
}
