package dev.brisk.train.setup;

import dev.brisk.optim.ReduceOnPlateau;
import dev.brisk.optim.Schedule;
import dev.brisk.train.config.ScheduleConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * A run's learning rate: {@code optimizer.setLr(lr.at(step))} before each optimizer step, and
 * {@code lr.afterEvaluation(metric)} after each evaluation. For every schedule but plateau this is a pure function
 * of the step ({@link #schedule()}); for plateau the rate after warm-up is the {@link ReduceOnPlateau}'s, which
 * changes only in {@link #afterEvaluation} and whose state belongs in the checkpoint.
 */
public final class LrSchedule implements dev.brisk.train.LearningRate {

    private final Schedule schedule;
    private final ReduceOnPlateau plateau;
    private final ScheduleConfig.Metric metric;
    private final long warmupSteps;

    LrSchedule(Schedule schedule, ReduceOnPlateau plateau, ScheduleConfig.Metric metric, long warmupSteps) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.plateau = plateau;
        this.metric = metric;
        this.warmupSteps = warmupSteps;
    }

    /** The learning rate for optimizer step {@code step} (0 for the first). */
    @Override
    public double at(long step) {
        return plateau == null || step < warmupSteps ? schedule.at(step) : plateau.lr();
    }

    /** True when evaluations change the rate (plateau): call {@link #afterEvaluation} with {@link #metric()}. */
    public boolean drivenByEvaluation() {
        return plateau != null;
    }

    /** The evaluation metric plateau watches, or null for the other schedules. */
    public ScheduleConfig.Metric metric() {
        return metric;
    }

    /** Feeds one evaluation's metric to a plateau schedule; does nothing for the others. */
    public void afterEvaluation(double metricValue) {
        if (plateau != null) {
            plateau.step(metricValue);
        }
    }

    @Override
    public void afterEvaluation(dev.brisk.train.Evaluation e) {
        if (plateau != null) {
            afterEvaluation(metric == ScheduleConfig.Metric.VAL_ACCURACY ? e.accuracy() : e.loss());
        }
    }

    @Override
    public java.util.Map<String, dev.brisk.tensor.Tensor> stateDict() {
        return plateau == null ? java.util.Map.of() : plateau.stateDict();
    }

    @Override
    public void loadStateDict(java.util.Map<String, dev.brisk.tensor.Tensor> state) {
        if (plateau != null && !state.isEmpty()) {
            plateau.loadStateDict(state);
        }
    }

    /** The step-driven part: the whole schedule, or for plateau the warm-up and the base rate. */
    public Schedule schedule() {
        return schedule;
    }

    /** The plateau state to checkpoint ({@code stateDict} / {@code loadStateDict}), if this is a plateau schedule. */
    public Optional<ReduceOnPlateau> plateau() {
        return Optional.ofNullable(plateau);
    }
}
