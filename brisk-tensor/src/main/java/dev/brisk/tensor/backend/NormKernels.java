package dev.brisk.tensor.backend;

/**
 * Normalisation kernels. Row norms work on {@code rows} contiguous rows of length {@code n}; batch norm on an
 * (outer, channels, inner) block normalised per channel over its M = outer·inner elements. Statistics are
 * accumulated in a numerically safe way (two passes, partial sums in double or short float blocks) and saved
 * for backward. {@code gamma}/{@code beta} may be null (no affine transform: γ = 1, β = 0); gradient outputs
 * that are null are not computed.
 */
public interface NormKernels {

    /**
     * Layer norm per row: μ = Σx/n, σ² = Σ(x − μ)²/n (biased), rstd = 1/√(σ² + eps),
     * {@code y = (x − μ)·rstd·γ + β}; saves μ and rstd per row in {@code mean}/{@code rstd} (length rows).
     */
    void layerNorm(float[] x, int xOff, int rows, int n, float[] gamma, float[] beta, float eps,
                   float[] y, int yOff, float[] mean, float[] rstd);

    /**
     * Backward of {@link #layerNorm}, with x̂ = (x − μ)·rstd and ĝ = g·γ:
     * {@code dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))} (overwritten), {@code dγ += Σ_rows g·x̂},
     * {@code dβ += Σ_rows g} (accumulated). Any of dx, dγ, dβ may be null.
     */
    void layerNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma,
                           float[] mean, float[] rstd, float[] dx, int dxOff, float[] dgamma, float[] dbeta);

    /** RMS norm per row: rstd = 1/√(Σx²/n + eps) (saved), {@code y = x·rstd·γ}. */
    void rmsNorm(float[] x, int xOff, int rows, int n, float[] gamma, float eps, float[] y, int yOff, float[] rstd);

    /**
     * Backward of {@link #rmsNorm}, with x̂ = x·rstd and ĝ = g·γ: {@code dx = rstd·(ĝ − x̂·mean(ĝ·x̂))}
     * (overwritten), {@code dγ += Σ_rows g·x̂} (accumulated). dx and dγ may be null.
     */
    void rmsNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma, float[] rstd,
                         float[] dx, int dxOff, float[] dgamma);

    /**
     * Per-channel mean and biased variance (two-pass: Σ(x − μ)²/M) of an (outer, channels, inner) block,
     * written to {@code mean} and {@code var} (length channels).
     */
    void channelStats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] var);

    /**
     * {@code y = (x − mean[c])·scale[c] + shift[c]} per channel: the affine form both train and eval batch norm
     * use (scale = γ·rstd, shift = β). {@code mean} and {@code shift} may be null (0); in-place is allowed.
     */
    void channelAffine(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] scale,
                       float[] shift, float[] y, int yOff);

    /**
     * Backward of batch norm {@code y = (x − mean)·rstd·γ + β} per channel, with x̂ = (x − mean)·rstd:
     * {@code dβ += Σ g}, {@code dγ += Σ g·x̂} (accumulated), and dx (overwritten):
     * <ul>
     *   <li>training (mean, rstd are the batch statistics, functions of x):
     *       {@code dx = γ·rstd/M · (M·g − Σg − x̂·Σ g·x̂)}, M = outer·inner;</li>
     *   <li>eval (running statistics, constants): {@code dx = γ·rstd·g}.</li>
     * </ul>
     * {@code gamma} null means γ = 1; any of dx, dγ, dβ may be null.
     */
    void batchNormBackward(boolean training, float[] g, int gOff, float[] x, int xOff, int outer, int channels,
                           int inner, float[] mean, float[] rstd, float[] gamma, float[] dx, int dxOff,
                           float[] dgamma, float[] dbeta);
}
