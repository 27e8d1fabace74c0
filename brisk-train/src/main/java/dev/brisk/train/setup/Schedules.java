package dev.brisk.train.setup;

import dev.brisk.optim.ReduceOnPlateau;
import dev.brisk.optim.Schedule;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ScheduleConfig;

/** Builds a run's {@link LrSchedule} from its {@link ScheduleConfig} with brisk-optim's {@link Schedule}s. */
public final class Schedules {

    private Schedules() {}

    /**
     * The schedule for a run of {@code totalSteps} optimizer steps starting from {@code baseLr} ({@code optim.lr}).
     * A warm-up of W steps comes first (linear from baseLr/W to baseLr); the curve then starts from its own step 0
     * and spans the remaining {@code totalSteps − W} steps — so step and multistep milestones count from the end of
     * warm-up.
     *
     * @throws ConfigException when the warm-up leaves no steps, or one-cycle's warm-up phase is shorter than a step
     */
    public static LrSchedule create(ScheduleConfig config, long totalSteps, double baseLr) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("a run needs at least one step, got " + totalSteps);
        }
        long warmup = config.warmupSteps();
        long decaySteps = totalSteps - warmup;
        if (decaySteps < 1) {
            throw new ConfigException("schedule.warmup_steps", "warm-up of " + warmup + " steps leaves nothing of a run"
                    + " of " + totalSteps + " steps; make it shorter than the run");
        }
        Schedule curve;
        ReduceOnPlateau plateau = null;
        ScheduleConfig.Metric metric = null;
        try {
            curve = switch (config.curve()) {
                case ScheduleConfig.Constant c -> new Schedule.Constant(baseLr);
                case ScheduleConfig.StepDecay c -> new Schedule.StepDecay(baseLr, c.stepSize(), c.gamma());
                case ScheduleConfig.MultiStep c -> new Schedule.MultiStep(baseLr, c.milestones(), c.gamma());
                case ScheduleConfig.Exponential c -> new Schedule.Exponential(baseLr, c.gamma());
                case ScheduleConfig.Linear c -> new Schedule.Linear(baseLr, c.endLr(), decaySteps);
                case ScheduleConfig.Polynomial c -> new Schedule.Polynomial(baseLr, c.endLr(), decaySteps, c.power());
                case ScheduleConfig.Cosine c -> c.restartPeriod() == null
                        ? new Schedule.Cosine(baseLr, c.minLr(), decaySteps)
                        : new Schedule.CosineRestarts(baseLr, c.minLr(), c.restartPeriod(), c.restartMult());
                case ScheduleConfig.OneCycle c -> new Schedule.OneCycle(baseLr, decaySteps, c.pctStart(),
                        c.divFactor(), c.finalDivFactor());
                case ScheduleConfig.Plateau c -> {
                    metric = c.metric();
                    plateau = new ReduceOnPlateau(baseLr, new ReduceOnPlateau.Config(
                            c.metric() == ScheduleConfig.Metric.VAL_LOSS ? ReduceOnPlateau.Mode.MIN
                                    : ReduceOnPlateau.Mode.MAX,
                            c.factor(), c.patience(), c.threshold(), true, c.cooldown(), c.minLr()));
                    yield new Schedule.Constant(baseLr);
                }
            };
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("schedule", config.curve().key() + " over " + decaySteps + " steps: "
                    + e.getMessage());
        }
        Schedule full = warmup > 0 ? curve.withWarmup(warmup) : curve;
        return new LrSchedule(full, plateau, metric, warmup);
    }
}
