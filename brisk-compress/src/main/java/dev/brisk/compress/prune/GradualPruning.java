package dev.brisk.compress.prune;

import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.util.Objects;

/**
 * Gradual magnitude pruning during training: every {@code every} steps between the schedule's start and end, the
 * masks are recomputed for the sparsity {@link CubicSparsity#at} gives; after every step the masks are re-applied.
 */
public final class GradualPruning implements TrainerCallback {

    private final MagnitudePruner pruner;
    private final CubicSparsity schedule;
    private final MagnitudePruner.Scope scope;
    private final int every;

    public GradualPruning(MagnitudePruner pruner, CubicSparsity schedule, MagnitudePruner.Scope scope, int every) {
        this.pruner = Objects.requireNonNull(pruner, "pruner");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.scope = Objects.requireNonNull(scope, "scope");
        if (every < 1) {
            throw new IllegalArgumentException("the pruning interval must be ≥ 1 step, got " + every);
        }
        this.every = every;
    }

    @Override
    public void afterStep(Trainer trainer, StepResult result) {
        long t = result.step();
        boolean due = t >= schedule.start() && t <= schedule.end()
                && ((t - schedule.start()) % every == 0 || t == schedule.end());
        if (due) {
            pruner.prune(schedule.at(t), scope); // also applies the masks
        } else {
            pruner.applyMasks();
        }
    }

    public MagnitudePruner pruner() {
        return pruner;
    }
}
