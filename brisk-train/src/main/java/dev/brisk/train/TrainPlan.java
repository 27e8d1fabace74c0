package dev.brisk.train;

/**
 * How long and how a run trains: {@code totalSteps} optimizer steps of {@code accumulation} loader batches each,
 * evaluation / checkpoint / log cadences (null = never), keep-last-K checkpoints, and early stopping on the test
 * loss ({@code patience} evaluations without improvement; null = off).
 */
public record TrainPlan(long totalSteps, int accumulation, Double clipGradNorm, Integer evalEverySteps,
                        boolean evalEveryEpoch, Integer checkpointEverySteps, boolean checkpointEveryEpoch,
                        int keepCheckpoints, int logEverySteps, Integer earlyStoppingPatience) {

    public TrainPlan {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + totalSteps);
        }
        if (accumulation < 1) {
            throw new IllegalArgumentException("accumulation must be at least 1, got " + accumulation);
        }
        if (clipGradNorm != null && !(clipGradNorm > 0)) {
            throw new IllegalArgumentException("clip_grad_norm must be positive, got " + clipGradNorm);
        }
        if (evalEverySteps != null && evalEverySteps < 1) {
            throw new IllegalArgumentException("eval.every_steps must be at least 1, got " + evalEverySteps);
        }
        if (checkpointEverySteps != null && checkpointEverySteps < 1) {
            throw new IllegalArgumentException("checkpoint.every_steps must be at least 1, got "
                    + checkpointEverySteps);
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("checkpoint.keep must be at least 1, got " + keepCheckpoints);
        }
        if (logEverySteps < 1) {
            throw new IllegalArgumentException("report.every_steps must be at least 1, got " + logEverySteps);
        }
        if (earlyStoppingPatience != null && earlyStoppingPatience < 1) {
            throw new IllegalArgumentException("early stopping patience must be at least 1, got "
                    + earlyStoppingPatience);
        }
    }
}
