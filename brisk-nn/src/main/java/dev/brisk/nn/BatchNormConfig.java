package dev.brisk.nn;

/**
 * Configuration of {@link BatchNorm1d} and {@link BatchNorm2d} (PyTorch's defaults: eps 1e-5, momentum 0.1, affine,
 * tracking running statistics).
 *
 * @param numFeatures       channels C, positive
 * @param eps               added to the variance, positive
 * @param momentum          in [0, 1]: {@code running = (1 − momentum)·running + momentum·batch} (PyTorch's
 *                          cumulative-average mode, momentum=None, is not supported)
 * @param affine            learn a per-channel weight (init 1) and bias (init 0)
 * @param trackRunningStats keep running mean/variance buffers and use them in eval; without them, batch
 *                          statistics are used in eval too
 */
public record BatchNormConfig(int numFeatures, float eps, float momentum, boolean affine, boolean trackRunningStats) {

    public BatchNormConfig {
        Checks.positive("BatchNorm", "numFeatures", numFeatures);
        Checks.positiveFinite("BatchNorm", "eps", eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm: momentum must be in [0, 1], got " + momentum);
        }
    }

    public BatchNormConfig(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f, true, true);
    }
}
