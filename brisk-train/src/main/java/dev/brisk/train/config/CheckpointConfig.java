package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * When to write a checkpoint {@code step-N/} into the run directory (section {@code checkpoint}); null turns a
 * trigger off.
 *
 * @param everySteps  {@code checkpoint.every_steps}: every N optimizer steps, ≥ 1; default null
 * @param everyEpochs {@code checkpoint.every_epochs}: at the end of every N epochs, ≥ 1; default 1
 * @param keep        {@code checkpoint.keep}: how many of the newest checkpoints to keep, ≥ 1; default 3
 */
public record CheckpointConfig(Long everySteps, Integer everyEpochs, int keep) {

    public CheckpointConfig {
        check(everySteps == null || everySteps >= 1, "checkpoint.every_steps",
                "must be ≥ 1 (or null), got " + everySteps);
        check(everyEpochs == null || everyEpochs >= 1, "checkpoint.every_epochs",
                "must be ≥ 1 (or null), got " + everyEpochs);
        check(keep >= 1, "checkpoint.keep", "must be ≥ 1, got " + keep);
    }

    /** After every epoch, keeping the last 3. */
    public static CheckpointConfig defaults() {
        return new CheckpointConfig(null, 1, 3);
    }
}
