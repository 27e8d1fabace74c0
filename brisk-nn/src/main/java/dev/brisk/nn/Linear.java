package dev.brisk.nn;

import dev.brisk.nn.init.FanMode;
import dev.brisk.nn.init.Init;
import dev.brisk.nn.init.Nonlinearity;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b}: {@code (*, in) -> (*, out)}, with {@code weight (out, in)} and {@code bias (out)}.
 *
 * <p>Default initialisation (PyTorch's {@code reset_parameters}): weight by
 * {@code kaimingUniform(a = √5, FAN_IN, LEAKY_RELU)}, which is {@code U(−1/√in, 1/√in)}; bias also
 * {@code U(−1/√in, 1/√in)}.
 */
public final class Linear extends Module {

    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int inFeatures, int outFeatures, Rng rng) {
        this(inFeatures, outFeatures, true, rng);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        this.inFeatures = Checks.positive("Linear", "inFeatures", inFeatures);
        this.outFeatures = Checks.positive("Linear", "outFeatures", outFeatures);
        this.weight = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
        Init.kaimingUniform(weight, Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, rng);
        if (bias) {
            double bound = 1 / Math.sqrt(inFeatures);
            Init.uniform(this.bias, -bound, bound, rng);
        }
        describe("in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + bias);
    }

    @Override
    public Tensor forward(Tensor x) {
        // (*, in) @ (in, out) -> (*, out)
        Checks.size("Linear", x, -1, inFeatures, "(*, " + inFeatures + ")");
        Tensor y = x.matmul(weight.t());
        if (bias == null) {
            return y;
        }
        // under autocast y is 16-bit: add the bias in y's type (as PyTorch's autocast linear does) so the output,
        // and what the next op saves of it, stays 16-bit instead of being promoted back to F32
        return y.add(y.dtype() == bias.dtype() ? bias : bias.to(y.dtype()));
    }

    /** (out, in) */
    public Tensor weight() {
        return weight;
    }

    /** (out), or null when built without bias */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }
}
