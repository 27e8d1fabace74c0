package dev.brisk.tensor.backend;

/**
 * Row-wise softmax over contiguous rows of length {@code cols}, computed stably:
 * {@code y = exp(x - max) / Σ exp(x - max)}, or {@code x - max - ln Σ exp(x - max)} when {@code log}.
 * In-place use ({@code out == x}, same offset) is allowed.
 */
public interface SoftmaxKernels {

    void softmax(boolean log, float[] x, int xOff, int rows, int cols, float[] out, int outOff);

    /**
     * Backward of {@link #softmax} per row, from its output y and the output gradient g:
     * softmax: {@code dx = y ⊙ (g − Σ g⊙y)}; log-softmax: {@code dx = g − exp(y) · Σ g}. The default is scalar
     * with double sums.
     */
    default void softmaxBackward(boolean log, float[] y, int yOff, float[] g, int gOff, int rows, int cols,
                                 float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int yi = yOff + r * cols;
            int gi = gOff + r * cols;
            int oi = outOff + r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += log ? g[gi + j] : (double) g[gi + j] * y[yi + j];
            }
            for (int j = 0; j < cols; j++) {
                out[oi + j] = (float) (log ? g[gi + j] - Math.exp(y[yi + j]) * dot : y[yi + j] * (g[gi + j] - dot));
            }
        }
    }

    /**
     * Attention probabilities, fused: for each of {@code batch} (rows × cols) score matrices,
     * {@code y[i, j] = softmax_j(scale·x[i, j])} over the visible columns j and 0 elsewhere. Causal: row i sees
     * j ≤ i (top-left aligned, as PyTorch's {@code is_causal}); masked scores are never read, so nothing from
     * the future (not even a NaN) reaches y. Otherwise every column is visible. In-place ({@code out == x}, same
     * offset) is allowed. The default is scalar with double sums.
     */
    default void attentionSoftmax(float[] x, int xOff, int batch, int rows, int cols, float scale, boolean causal,
                                  float[] out, int outOff) {
        for (int r = 0; r < batch * rows; r++) {
            int xi = xOff + r * cols;
            int oi = outOff + r * cols;
            int visible = causal ? Math.min(r % rows + 1, cols) : cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) {
                max = Math.max(max, (double) scale * x[xi + j]);
            }
            double sum = 0;
            for (int j = 0; j < visible; j++) {
                sum += Math.exp((double) scale * x[xi + j] - max);
            }
            for (int j = 0; j < visible; j++) {
                out[oi + j] = (float) (Math.exp((double) scale * x[xi + j] - max) / sum);
            }
            for (int j = visible; j < cols; j++) {
                out[oi + j] = 0f;
            }
        }
    }

    /**
     * Backward of {@link #attentionSoftmax} from its output y and the output gradient g: over the visible
     * columns {@code dx = scale · y ⊙ (g − Σ g⊙y)}, 0 elsewhere (masked g is never read). In-place
     * ({@code out == g}, same offset) is allowed. The default is scalar with double sums.
     */
    default void attentionSoftmaxBackward(float[] y, int yOff, float[] g, int gOff, int batch, int rows, int cols,
                                          float scale, boolean causal, float[] out, int outOff) {
        for (int r = 0; r < batch * rows; r++) {
            int yi = yOff + r * cols;
            int gi = gOff + r * cols;
            int oi = outOff + r * cols;
            int visible = causal ? Math.min(r % rows + 1, cols) : cols;
            double dot = 0;
            for (int j = 0; j < visible; j++) {
                dot += (double) g[gi + j] * y[yi + j];
            }
            for (int j = 0; j < visible; j++) {
                out[oi + j] = (float) (scale * y[yi + j] * (g[gi + j] - dot));
            }
            for (int j = visible; j < cols; j++) {
                out[oi + j] = 0f;
            }
        }
    }
}
