package dev.brisk.train;

import dev.brisk.optim.Schedule;
import dev.brisk.tensor.Tensor;
import java.util.Map;

/**
 * The learning rate the trainer sets before each optimizer step. Usually a pure function of the step (a
 * {@link Schedule}); a plateau schedule also reacts to evaluations and carries state into checkpoints.
 */
public interface LearningRate {

    /** The rate for optimizer step {@code step} (0 for the first). */
    double at(long step);

    /** Called after each evaluation. */
    default void afterEvaluation(Evaluation evaluation) {
    }

    /** State to checkpoint (empty for pure schedules). */
    default Map<String, Tensor> stateDict() {
        return Map.of();
    }

    default void loadStateDict(Map<String, Tensor> state) {
    }

    static LearningRate of(Schedule schedule) {
        return schedule::at;
    }
}
