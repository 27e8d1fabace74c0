package dev.brisk.tensor.backend;

/**
 * Row-wise softmax over contiguous rows of length {@code cols}, computed stably:
 * {@code y = exp(x - max) / Σ exp(x - max)}, or {@code x - max - ln Σ exp(x - max)} when {@code log}.
 * In-place use ({@code out == x}, same offset) is allowed.
 */
public interface SoftmaxKernels {

    void softmax(boolean log, float[] x, int xOff, int rows, int cols, float[] out, int outOff);
}
