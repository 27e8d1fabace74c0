package dev.brisk.nn;

import dev.brisk.nn.init.Init;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Norm;

/**
 * Root-mean-square normalisation over the last dim (Zhang &amp; Sennrich 2019; Llama's norm):
 * {@code y = x / √(mean(x²) + eps) · weight}, no centring and no bias.
 *
 * <p>Default initialisation (PyTorch's {@code reset_parameters}): weight ones. The default eps is float32's
 * machine epsilon (≈1.19e-7), what PyTorch uses when {@code eps=None}.
 */
public final class RMSNorm extends Module {

    private final int dim;
    private final float eps;
    private final Tensor weight;

    public RMSNorm(int dim) {
        this(dim, Math.ulp(1f));
    }

    public RMSNorm(int dim, float eps) {
        this.dim = Checks.positive("RMSNorm", "dim", dim);
        this.eps = Checks.positiveFinite("RMSNorm", "eps", eps);
        this.weight = registerParameter("weight", Init.ones(Tensor.zeros(dim)));
        describe("[" + dim + "], eps=" + eps);
    }

    @Override
    public Tensor forward(Tensor x) {
        // (*, dim) -> same
        Checks.size("RMSNorm", x, -1, dim, "(*, " + dim + ")");
        Checks.floating("RMSNorm", x);
        return Norm.rmsNorm(x, weight, eps);
    }

    /** (dim) */
    public Tensor weight() {
        return weight;
    }
}
