package dev.brisk.nn;

import dev.brisk.tensor.Tensor;

/**
 * Batch normalisation of {@code (N, C, H, W)} input per channel C:
 * {@code y = (x − mean) / √(var + eps) · weight + bias}.
 *
 * <p>Training: mean and biased variance of the batch (over every dim but C); the running statistics (buffers
 * running_mean, init 0, and running_var, init 1) move towards the batch's mean and unbiased variance by
 * {@code momentum}, and num_batches_tracked counts the updates. Evaluation: the running statistics are used. See
 * {@link BatchNormConfig} for the options; weight is initialised to ones and bias to zeros, as PyTorch does.
 */
public final class BatchNorm2d extends Module {

    private final BatchNormState state;

    public BatchNorm2d(int numFeatures) {
        this(new BatchNormConfig(numFeatures));
    }

    public BatchNorm2d(BatchNormConfig config) {
        this.state = new BatchNormState(this, config);
    }

    @Override
    public Tensor forward(Tensor x) {
        int c = state.config.numFeatures();
        Checks.rank("BatchNorm2d", x, "(N, " + c + ", H, W)", 4);
        return state.forward("BatchNorm2d", x, isTraining());
    }

    public BatchNormConfig config() {
        return state.config;
    }

    /** (C), or null without affine */
    public Tensor weight() {
        return state.weight;
    }

    public Tensor bias() {
        return state.bias;
    }

    /** (C), or null without running statistics */
    public Tensor runningMean() {
        return state.runningMean;
    }

    public Tensor runningVar() {
        return state.runningVar;
    }

    /** 0-dim I64 count of training batches seen, or null without running statistics */
    public Tensor numBatchesTracked() {
        return state.numBatchesTracked;
    }
}
