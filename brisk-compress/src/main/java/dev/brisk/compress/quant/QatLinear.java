package dev.brisk.compress.quant;

import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;

/**
 * A {@link Linear} trained against int8: {@code y = fq(x)·fq(W)ᵀ + b}. It registers the wrapped layer's own weight
 * and bias tensors under the same names, so the state dict (and the optimizer's parameters) are unchanged and a
 * checkpoint loads into the plain model.
 */
public final class QatLinear extends Module {

    private final Tensor weight;
    private final Tensor bias;
    private final ActivationObserver input = new ActivationObserver();

    public QatLinear(Linear layer) {
        this.weight = registerParameter("weight", layer.weight());
        this.bias = layer.bias() == null ? null : registerParameter("bias", layer.bias());
        describe("qat, in_features=" + layer.inFeatures() + ", out_features=" + layer.outFeatures());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = input.apply(x, isTraining()).matmul(FakeQuant.perChannelSymmetric(weight).t());
        return bias == null ? y : y.add(bias);
    }

    public ActivationObserver observer() {
        return input;
    }
}
