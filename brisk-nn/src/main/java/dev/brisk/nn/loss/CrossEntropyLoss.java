package dev.brisk.nn.loss;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Cross-entropy from logits, as PyTorch's {@code cross_entropy}. Input {@code (N, C)}, {@code (N, C, d1, ...)} or
 * unbatched {@code (C)}; classes along dim 1. With ε = labelSmoothing and {@code logp = logSoftmax(x, dim 1)}:
 * <pre>
 *   class-index target y (integer, shape of the input without dim 1):
 *     ℓ_i = (1 − ε)·(−logp[i, y_i]) + ε·mean_c(−logp[i, c])      ℓ_i = 0 where y_i = ignoreIndex
 *     MEAN divides the sum by the number of non-ignored targets
 *   probability target p (floating, same shape as the input):
 *     ℓ_i = −Σ_c p'[i, c]·logp[i, c],  p' = (1 − ε)·p + ε/C;   MEAN divides by the number of ℓ_i
 * </pre>
 * Built from logSoftmax, gather and where, so the gradient ({@code softmax − target}) comes from autograd.
 *
 * @param labelSmoothing ε in [0, 1]
 * @param ignoreIndex    class-index targets equal to this contribute nothing (PyTorch's default −100)
 */
public record CrossEntropyLoss(Reduction reduction, float labelSmoothing, long ignoreIndex) implements Loss {

    public static final long DEFAULT_IGNORE_INDEX = -100;

    public CrossEntropyLoss {
        Objects.requireNonNull(reduction, "CrossEntropyLoss: reduction");
        if (reduction == Reduction.BATCHMEAN) {
            throw new IllegalArgumentException("CrossEntropyLoss: reduction BATCHMEAN is only defined for KL"
                    + " divergence; use MEAN");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: labelSmoothing must be in [0, 1], got "
                    + labelSmoothing);
        }
    }

    /** Mean reduction, no label smoothing, ignore index −100 (PyTorch's defaults). */
    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0f, DEFAULT_IGNORE_INDEX);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        if (!input.dtype().isFloatingPoint() || input.dim() == 0) {
            throw new IllegalArgumentException("CrossEntropyLoss: input must be floating-point logits (N, C, ...) or"
                    + " (C), got " + input.dtype() + " of shape " + Shapes.format(input.shape()));
        }
        boolean probabilities = target.dtype().isFloatingPoint();
        boolean unbatched = input.dim() == 1;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        Tensor y = unbatched ? target.unsqueeze(0) : target;
        Tensor perSample = probabilities ? softTargets(x, y, input, target) : classTargets(x, y, input, target);
        if (reduction == Reduction.NONE && unbatched) {
            return perSample.squeeze(0);
        }
        return perSample;
    }

    private Tensor softTargets(Tensor x, Tensor p, Tensor input, Tensor target) {
        if (!Arrays.equals(x.shape(), p.shape())) {
            throw new IllegalArgumentException("CrossEntropyLoss: a probability target must have the input's shape "
                    + Shapes.format(input.shape()) + ", got " + Shapes.format(target.shape()));
        }
        int classes = x.size(1);
        Tensor logp = x.logSoftmax(1);
        Tensor q = labelSmoothing == 0 ? p : p.mul(1 - labelSmoothing).add(labelSmoothing / classes);
        Tensor perElement = q.mul(logp).sum(1, false).neg();
        return reduction.apply("CrossEntropyLoss", perElement);
    }

    private Tensor classTargets(Tensor x, Tensor y, Tensor input, Tensor target) {
        int[] expected = new int[x.dim() - 1];
        for (int d = 0, j = 0; d < x.dim(); d++) {
            if (d != 1) {
                expected[j++] = x.size(d);
            }
        }
        if (target.dtype() == DType.BOOL || !Arrays.equals(y.shape(), expected)) {
            throw new IllegalArgumentException("CrossEntropyLoss: for input of shape " + Shapes.format(input.shape())
                    + " expected class indices of shape " + Shapes.format(unbatchedShape(expected, input))
                    + " (or probabilities of the input's shape), got " + target.dtype() + " of shape "
                    + Shapes.format(target.shape()));
        }
        int classes = x.size(1);
        long[] labels = y.toLongArray();
        boolean[] valid = new boolean[labels.length];
        long[] safe = new long[labels.length];
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            long c = labels[i];
            if (c == ignoreIndex) {
                continue;
            }
            if (c < 0 || c >= classes) {
                throw new IndexOutOfBoundsException("CrossEntropyLoss: target " + c + " at flat position " + i
                        + " is not a class in [0, " + classes + ") nor the ignore index " + ignoreIndex);
            }
            valid[i] = true;
            safe[i] = c;
            count++;
        }
        // (N, C, d...) -> log-probabilities; pick the target class: (N, 1, d...) -> (N, d...)
        Tensor logp = x.logSoftmax(1);
        Tensor nll = logp.gather(1, Tensor.ofLongs(safe, expected).unsqueeze(1)).squeeze(1).neg();
        Tensor perElement = labelSmoothing == 0 ? nll
                : nll.mul(1 - labelSmoothing).add(logp.mean(1, false).neg().mul(labelSmoothing));
        if (count < labels.length) {
            perElement = Tensor.where(Tensor.ofBools(valid, expected), perElement, Tensor.scalar(0f));
        }
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.sum().div((float) count);
            case BATCHMEAN -> throw new AssertionError("rejected by the constructor");
        };
    }

    private static int[] unbatchedShape(int[] expected, Tensor input) {
        return input.dim() == 1 ? new int[0] : expected;
    }
}
