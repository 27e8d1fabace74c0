package dev.brisk.spark;

import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;

/**
 * Runs in every rank's training loop: records each step for the driver, and stops the rank promptly when Spark has
 * killed its task (a sibling task failed, or the job was cancelled) — Spark kills barrier tasks without
 * interrupting them, and a rank not waiting on a collective would otherwise train on alone.
 */
final class RankCallback implements TrainerCallback {

    private final int rank;
    private final TaskContext task;
    private final List<String> records = new ArrayList<>();

    RankCallback(int rank, TaskContext task) {
        this.rank = rank;
        this.task = task;
    }

    @Override
    public void afterStep(Trainer trainer, StepResult result) {
        records.add(StepRecords.of(rank, result, trainer.optimizer().lr()));
        if (task != null) {
            task.killTaskIfInterrupted();
        }
    }

    List<String> records() {
        return records;
    }
}
