package dev.brisk.nn;

import dev.brisk.nn.init.Init;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Norm;

/**
 * The parameters, buffers and forward shared by {@link BatchNorm1d} and {@link BatchNorm2d}, registered on the
 * owning layer under PyTorch's names: weight, bias, running_mean, running_var, num_batches_tracked.
 */
final class BatchNormState {

    final BatchNormConfig config;
    final Tensor weight;
    final Tensor bias;
    final Tensor runningMean;
    final Tensor runningVar;
    final Tensor numBatchesTracked;

    BatchNormState(Module owner, BatchNormConfig config) {
        this.config = config;
        int c = config.numFeatures();
        this.weight = config.affine() ? owner.registerParameter("weight", Init.ones(Tensor.zeros(c))) : null;
        this.bias = config.affine() ? owner.registerParameter("bias", Tensor.zeros(c)) : null;
        boolean track = config.trackRunningStats();
        this.runningMean = track ? owner.registerBuffer("running_mean", Tensor.zeros(c)) : null;
        this.runningVar = track ? owner.registerBuffer("running_var", Tensor.ones(c)) : null;
        this.numBatchesTracked = track ? owner.registerBuffer("num_batches_tracked", Tensor.zeros(DType.I64)) : null;
        owner.describe(c + ", eps=" + config.eps() + ", momentum=" + config.momentum() + ", affine="
                + config.affine() + ", track_running_stats=" + track);
    }

    /**
     * Training (or no running stats): normalise with the batch statistics over all dims but 1, and update the
     * running stats in place. Evaluation: normalise with the running stats.
     */
    Tensor forward(String layer, Tensor x, boolean training) {
        Checks.size(layer, x, 1, config.numFeatures(), "(N, " + config.numFeatures() + ", ...)");
        Checks.floating(layer, x);
        boolean useBatch = training || runningMean == null;
        if (useBatch && x.numel() / config.numFeatures() <= 1) {
            throw new IllegalArgumentException(layer + ": batch statistics need more than 1 value per channel, got"
                    + " input of shape " + Shapes.format(x.shape()) + " (use a larger batch or eval())");
        }
        if (training && numBatchesTracked != null) {
            numBatchesTracked.set(numBatchesTracked.getLong() + 1);
        }
        // running stats are only passed when they are to be updated (training) or used (eval)
        return Norm.batchNorm(x, runningMean, runningVar, weight, bias, useBatch, config.momentum(), config.eps());
    }
}
