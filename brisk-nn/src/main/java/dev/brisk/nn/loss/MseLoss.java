package dev.brisk.nn.loss;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** Mean squared error: {@code ℓ_i = (x_i − y_i)²}, reduced; input and target have the same shape. */
public record MseLoss(Reduction reduction) implements Loss {

    public MseLoss {
        Objects.requireNonNull(reduction, "MseLoss: reduction");
        if (reduction == Reduction.BATCHMEAN) {
            throw new IllegalArgumentException("MseLoss: reduction BATCHMEAN is only defined for KL divergence;"
                    + " use MEAN");
        }
    }

    /** Mean reduction. */
    public MseLoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("MseLoss: input shape " + Shapes.format(input.shape())
                    + " and target shape " + Shapes.format(target.shape()) + " must be equal");
        }
        Tensor d = input.sub(target);
        return reduction.apply("MseLoss", d.mul(d));
    }
}
