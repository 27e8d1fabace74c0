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
}
