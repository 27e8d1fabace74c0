package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.SoftmaxKernels;

/** Two-pass stable softmax in double. */
final class ReferenceSoftmax implements SoftmaxKernels {

    @Override
    public void softmax(boolean log, float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols;
            int oi = outOff + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[xi + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[xi + j] - max);
            }
            double logSum = Math.log(sum);
            for (int j = 0; j < cols; j++) {
                double d = x[xi + j] - max;
                out[oi + j] = (float) (log ? d - logSum : Math.exp(d) / sum);
            }
        }
    }
}
