package dev.brisk.nn.loss;

import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Binary cross-entropy on logits x against targets y in [0, 1], same shape, computed stably:
 * <pre>
 *   ℓ = −[y·log σ(x) + (1 − y)·log(1 − σ(x))] = max(x, 0) − x·y + log(1 + e^−|x|)
 *   ∂ℓ/∂x = σ(x) − y        ∂ℓ/∂y = −x
 * </pre>
 * The gradient is recorded from its closed form: composing it from max and |x| would give the wrong slope
 * ({@code −y} instead of {@code 1/2 − y}) at exactly x = 0, where zero-initialised logits sit.
 */
public record BceWithLogitsLoss(Reduction reduction) implements Loss {

    public BceWithLogitsLoss {
        Objects.requireNonNull(reduction, "BceWithLogitsLoss: reduction");
        if (reduction == Reduction.BATCHMEAN) {
            throw new IllegalArgumentException("BceWithLogitsLoss: reduction BATCHMEAN is only defined for KL"
                    + " divergence; use MEAN");
        }
    }

    /** Mean reduction. */
    public BceWithLogitsLoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("BceWithLogitsLoss: input shape " + Shapes.format(input.shape())
                    + " and target shape " + Shapes.format(target.shape()) + " must be equal");
        }
        if (!input.dtype().isFloatingPoint() || !target.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("BceWithLogitsLoss: input and target must be floating-point, got "
                    + input.dtype() + " and " + target.dtype());
        }
        Tensor perElement;
        try (var _ = GradMode.noGrad()) {
            perElement = input.relu().sub(input.mul(target)).add(input.abs().neg().exp().add(1f).log());
        }
        perElement = Graph.record(perElement, "bceWithLogits", g -> new Tensor[] {
            input.requiresGrad() ? g.mul(input.sigmoid().sub(target)) : null,
            target.requiresGrad() ? g.mul(input).neg() : null}, input, target);
        return reduction.apply("BceWithLogitsLoss", perElement);
    }
}
