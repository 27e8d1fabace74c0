package dev.brisk.nn;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;

/** {@code softmax(x)_i = e^{x_i} / Σ_j e^{x_j}} along {@code dim} (negative counts from the end). */
public final class Softmax extends Module {

    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
        describe("dim=" + dim);
    }

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("Softmax", x);
        if (dim >= x.dim() || dim < -x.dim()) {
            throw new IllegalArgumentException("Softmax: dim " + dim + " is out of range for input of shape "
                    + Shapes.format(x.shape()));
        }
        return x.softmax(dim);
    }

    public int dim() {
        return dim;
    }
}
