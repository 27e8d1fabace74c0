package dev.brisk.nn.loss;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Kullback–Leibler divergence {@code KL(p ‖ q)} as PyTorch's {@code kl_div}: the input is log q (log-probabilities),
 * the target p is given as probabilities (or as log p with {@code logTarget}), same shape:
 * <pre>
 *   ℓ_i = p_i·(log p_i − log q_i)     (0 where p_i = 0)
 * </pre>
 * Reductions: NONE, SUM, MEAN (over all elements, PyTorch's default) and BATCHMEAN (sum / batch size, the true
 * KL divergence per sample when dim 0 is the batch).
 */
public record KlDivLoss(Reduction reduction, boolean logTarget) implements Loss {

    public KlDivLoss {
        Objects.requireNonNull(reduction, "KlDivLoss: reduction");
    }

    /** Mean reduction, probability targets (PyTorch's defaults). */
    public KlDivLoss() {
        this(Reduction.MEAN, false);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("KlDivLoss: input shape " + Shapes.format(input.shape())
                    + " and target shape " + Shapes.format(target.shape()) + " must be equal");
        }
        Tensor perElement;
        if (logTarget) {
            perElement = target.exp().mul(target.sub(input));
        } else {
            // p·log p with 0·log 0 = 0; log is taken of a safe value so no inf/NaN enters either branch's gradient
            Tensor positive = target.gt(Tensor.scalar(0f));
            Tensor safe = Tensor.where(positive, target, Tensor.scalar(1f));
            perElement = Tensor.where(positive, target.mul(safe.log().sub(input)), Tensor.scalar(0f));
        }
        if (reduction == Reduction.BATCHMEAN) {
            int batch = input.dim() == 0 ? 1 : input.size(0);
            return perElement.sum().div((float) batch);
        }
        return reduction.apply("KlDivLoss", perElement);
    }
}
