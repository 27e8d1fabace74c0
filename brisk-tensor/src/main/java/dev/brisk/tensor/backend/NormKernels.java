package dev.brisk.tensor.backend;

/**
 * Normalisation kernels. Row norms work on contiguous rows of length {@code n}; batch norm on an
 * (outer, channels, inner) block normalised per channel over outer × inner. Statistics are accumulated in a
 * numerically safe way (two-pass or Welford, in double or compensated float) and saved for backward.
 * {@code gamma}/{@code beta} may be null (no affine transform).
 */
public interface NormKernels {

    /** y = (x − mean)·rstd·γ + β per row; saves mean and rstd = 1/√(var + eps) (biased var) per row. */
    void layerNorm(float[] x, int xOff, int rows, int n, float[] gamma, float[] beta, float eps,
                   float[] y, int yOff, float[] mean, float[] rstd);

    /**
     * Backward of {@link #layerNorm}: dx (overwritten), dγ and dβ (accumulated, may be null) from g, x and the
     * saved statistics.
     */
    void layerNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma,
                           float[] mean, float[] rstd, float[] dx, int dxOff, float[] dgamma, float[] dbeta);

    /** y = x·rstd·γ with rstd = 1/√(mean(x²) + eps) per row, saved. */
    void rmsNorm(float[] x, int xOff, int rows, int n, float[] gamma, float eps, float[] y, int yOff, float[] rstd);

    /** Backward of {@link #rmsNorm}: dx overwritten, dγ accumulated (may be null). */
    void rmsNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma, float[] rstd,
                         float[] dx, int dxOff, float[] dgamma);

    /**
     * Per-channel mean and biased variance of an (outer, channels, inner) block, written to {@code mean} and
     * {@code var} (length channels).
     */
    void channelStats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] var);

    /** y = (x − mean[c])·scale[c] + shift[c] per channel: the affine form both train and eval batch norm use. */
    void channelAffine(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] scale,
                       float[] shift, float[] y, int yOff);

    /**
     * Backward of training-mode batch norm: with x̂ = (x − mean)·rstd, dβ = Σ g, dγ = Σ g·x̂ (both accumulated,
     * may be null) and dx = γ·rstd/M · (M·g − Σg − x̂·Σ g·x̂), M = outer·inner. {@code gamma} null means γ = 1.
     */
    void batchNormBackward(float[] g, int gOff, float[] x, int xOff, int outer, int channels, int inner,
                           float[] mean, float[] rstd, float[] gamma, float[] dx, int dxOff, float[] dgamma,
                           float[] dbeta);
}
