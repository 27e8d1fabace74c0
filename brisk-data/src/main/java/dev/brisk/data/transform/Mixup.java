package dev.brisk.data.transform;

import dev.brisk.data.Batch;
import dev.brisk.data.BatchTransform;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;

/**
 * Mixup (Zhang et al. 2018): with {@code λ ~ Beta(alpha, alpha)} drawn once per batch and a random pairing
 * {@code perm}, {@code x'_i = λ·x_i + (1-λ)·x_perm(i)} and {@code y'_i = λ·onehot(y_i) + (1-λ)·onehot(y_perm(i))}.
 * Targets become soft labels (N, classes) F32; train with a cross-entropy that accepts probabilities.
 */
public record Mixup(double alpha, int classes) implements BatchTransform {

    public Mixup {
        if (!(alpha > 0) || Double.isInfinite(alpha) || classes < 2) {
            throw new IllegalArgumentException("Mixup needs alpha > 0 (0.2 is typical) and at least 2 classes, got "
                    + "alpha " + alpha + ", classes " + classes);
        }
    }

    @Override
    public Batch apply(Batch batch, Rng rng) {
        double a = gamma(rng, alpha), b = gamma(rng, alpha);
        float lambda = (float) (a / (a + b));
        return mix(batch, lambda, rng.permutation(batch.size()), classes);
    }

    /**
     * The mixup of {@code batch} with itself in order {@code perm}. Inputs are any F32 (N, ...); targets are I64
     * class indices (N) or F32 probabilities (N, classes).
     */
    public static Batch mix(Batch batch, float lambda, int[] perm, int classes) {
        int n = batch.size();
        if (perm.length != n) {
            throw new IllegalArgumentException("mixup pairing has " + perm.length + " entries for a batch of " + n);
        }
        float[] x = batch.inputs().toFloatArray();
        int row = x.length / Math.max(1, n);
        float[] mixed = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < row; j++) {
                mixed[i * row + j] = lambda * x[i * row + j] + (1 - lambda) * x[perm[i] * row + j];
            }
        }
        float[] y = probabilities(batch.targets(), classes);
        float[] soft = new float[n * classes];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < classes; k++) {
                soft[i * classes + k] = lambda * y[i * classes + k] + (1 - lambda) * y[perm[i] * classes + k];
            }
        }
        return new Batch(Tensor.wrap(DType.F32, mixed, batch.inputs().shape()),
                Tensor.wrap(DType.F32, soft, n, classes), batch.indices());
    }

    /** Targets as (N, classes) probabilities: one-hot for class indices, unchanged for soft labels. */
    private static float[] probabilities(Tensor targets, int classes) {
        int n = targets.size(0);
        if (targets.dim() == 2 && targets.size(1) == classes && targets.dtype().isFloatingPoint()) {
            return targets.toFloatArray();
        }
        if (targets.dim() != 1 || targets.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("mixup needs targets as class indices (N) or probabilities (N, "
                    + classes + "), got " + targets.dtype() + " " + Arrays.toString(targets.shape()));
        }
        long[] labels = targets.toLongArray();
        float[] out = new float[n * classes];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("mixup: label " + labels[i] + " of sample " + i
                        + " is outside 0.." + (classes - 1) + " — is Mixup's class count right?");
            }
            out[i * classes + (int) labels[i]] = 1;
        }
        return out;
    }

    /** Gamma(shape, 1) by Marsaglia–Tsang, with the u^(1/shape) boost for shape < 1. */
    static double gamma(Rng rng, double shape) {
        if (shape < 1) {
            return gamma(rng, shape + 1) * Math.pow(1 - rng.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
