package dev.brisk.train;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hooks into the {@link Trainer}'s loop, for features that watch or adjust a run without being part of the loop
 * (profilers, dashboards, pruning masks, quantization observers). Every method has an empty default, so a callback
 * overrides only what it needs. Callbacks run on the training thread in the order they were added; one that throws
 * stops the run like any other error.
 */
public interface TrainerCallback {

    /** Before the first step of {@link Trainer#fit()} (also on a resumed run, at its restored step). */
    default void onFitStart(Trainer trainer) {
    }

    /** After each optimizer step (also after a step the loss scaler skipped; see {@link StepResult#skipped()}). */
    default void afterStep(Trainer trainer, StepResult result) {
    }

    /**
     * At each step that gets a metrics record ({@code report.every_steps}, and step 1), after {@link #afterStep}, on
     * every rank: a callback may add fields to {@code record} before the rank that writes metrics.jsonl writes it
     * (on the other ranks the record is built and dropped). Every rank calls this at the same steps, so a callback
     * may do collective work here, e.g. gather per-rank timings to rank 0.
     */
    default void beforeStepRecord(Trainer trainer, StepResult result, ObjectNode record) {
    }

    /** After each evaluation on the test split. */
    default void afterEvaluation(Trainer trainer, long step, Evaluation evaluation) {
    }

    /** When {@link Trainer#fit()} returns normally (not when it throws). */
    default void onFitEnd(Trainer trainer, Trainer.Summary summary) {
    }

    /**
     * When {@link Trainer#fit()} throws, before the error propagates: a callback gives back what it changed (a
     * profiler restores the model it instrumented). What a callback throws here is added to {@code error} as
     * suppressed, and the other callbacks still run.
     */
    default void onFitError(Trainer trainer, Throwable error) {
    }
}
