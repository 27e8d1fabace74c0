package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * When to evaluate on the test split (section {@code eval}); null turns a trigger off, both null means no periodic
 * evaluation.
 *
 * @param everySteps    {@code eval.every_steps}: every N optimizer steps, ≥ 1; default null
 * @param everyEpochs   {@code eval.every_epochs}: at the end of every N epochs, ≥ 1; default 1
 * @param earlyStopping {@code eval.early_stopping}: stop after this many evaluations without a lower test loss,
 *                      ≥ 1; default null (off)
 */
public record EvalConfig(Long everySteps, Integer everyEpochs, Integer earlyStopping) {

    public EvalConfig {
        check(everySteps == null || everySteps >= 1, "eval.every_steps", "must be ≥ 1 (or null), got " + everySteps);
        check(everyEpochs == null || everyEpochs >= 1, "eval.every_epochs",
                "must be ≥ 1 (or null), got " + everyEpochs);
        check(earlyStopping == null || earlyStopping >= 1, "eval.early_stopping",
                "must be ≥ 1 evaluations (or null for off), got " + earlyStopping);
        check(earlyStopping == null || everySteps != null || everyEpochs != null, "eval.early_stopping",
                "needs evaluations; set eval.every_epochs or eval.every_steps");
    }

    /** After every epoch, no early stopping. */
    public static EvalConfig defaults() {
        return new EvalConfig(null, 1, null);
    }
}
