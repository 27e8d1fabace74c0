package dev.brisk.dist.ps;

import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.Tanh;
import dev.brisk.nn.loss.Losses;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;

/**
 * A generated classification problem for asynchronous-training tests: 10 Gaussian blobs in 16 dimensions that
 * overlap (the best accuracy is well below 100 %, so differences between training methods show), and the MLP
 * 16-32-10 that learns it.
 */
final class Blobs {

    static final int DIM = 16;
    static final int CLASSES = 10;
    static final int BATCH = 32;

    final Tensor trainX;
    final long[] trainY;
    final Tensor testX;
    final long[] testY;

    Blobs(int train, int test) {
        Rng rng = new Rng(2024);
        float[] centers = Tensor.randn(rng, CLASSES, DIM).mul(0.8f).toFloatArray();
        trainY = labels(rng, train);
        trainX = points(rng, centers, trainY);
        testY = labels(rng, test);
        testX = points(rng, centers, testY);
    }

    private static long[] labels(Rng rng, int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(CLASSES);
        }
        return y;
    }

    private static Tensor points(Rng rng, float[] centers, long[] y) {
        float[] x = Tensor.randn(rng, y.length, DIM).toFloatArray();
        for (int i = 0; i < y.length; i++) {
            for (int d = 0; d < DIM; d++) {
                x[i * DIM + d] += centers[(int) y[i] * DIM + d];
            }
        }
        return Tensor.of(x, y.length, DIM);
    }

    static Module mlp() {
        Rng rng = new Rng(77);
        return new Sequential(new Linear(DIM, 32, rng), new Tanh(), new Linear(32, CLASSES, rng));
    }

    /** Batch {@code b} of the training set (wrapping around). */
    Tensor[] batch(long b) {
        int batches = trainY.length / BATCH;
        int start = (int) (b % batches) * BATCH;
        long[] y = java.util.Arrays.copyOfRange(trainY, start, start + BATCH);
        return new Tensor[] {trainX.narrow(0, start, BATCH).contiguous(), Tensor.ofLongs(y, BATCH)};
    }

    /** The gradient of batch {@code batchOf(step)} at the given parameters, on a private model replica. */
    AsyncRun.Gradient gradient(java.util.function.LongUnaryOperator batchOf) {
        Module replica = mlp();
        return (params, step, out) -> {
            FlatParams.load(params, replica);
            replica.zeroGrad();
            Tensor[] b = batch(batchOf.applyAsLong(step));
            Losses.crossEntropy(replica.forward(b[0]), b[1]).backward();
            FlatParams.gradients(replica, out);
        };
    }

    /** Test accuracy of the MLP with these parameters, in percent. */
    double accuracy(float[] params) {
        Module m = mlp();
        FlatParams.load(params, m);
        try (var g = GradMode.noGrad()) {
            float[] logits = m.forward(testX).toFloatArray();
            int correct = 0;
            for (int i = 0; i < testY.length; i++) {
                int best = 0;
                for (int c = 1; c < CLASSES; c++) {
                    if (logits[i * CLASSES + c] > logits[i * CLASSES + best]) {
                        best = c;
                    }
                }
                correct += best == testY[i] ? 1 : 0;
            }
            return 100.0 * correct / testY.length;
        }
    }

    /** Plain synchronous SGD over batches 0..steps−1, step s at rate {@code lr(s)}. */
    float[] synchronous(int steps, java.util.function.LongToDoubleFunction lr) {
        float[] w = FlatParams.values(mlp());
        float[] g = new float[w.length];
        AsyncRun.Gradient grad = gradient(s -> s);
        for (int s = 0; s < steps; s++) {
            grad.compute(w, s, g);
            for (int i = 0; i < w.length; i++) {
                w[i] -= (float) lr.applyAsDouble(s) * g[i];
            }
        }
        return w;
    }
}
