package dev.brisk.compress.quant;

import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Conv;

/**
 * A {@link Conv2d} trained against int8: {@code conv(fq(x), fq(W)) + b}, with the wrapped layer's own weight and
 * bias registered under the same names (see {@link QatLinear}). A batch norm after it is not folded during
 * training; {@code brisk quantize} folds it when converting, so the grid seen in training is approximate there.
 */
public final class QatConv2d extends Module {

    private final Conv2d.Config config;
    private final Tensor weight;
    private final Tensor bias;
    private final ActivationObserver input = new ActivationObserver();

    public QatConv2d(Conv2d layer) {
        this.config = layer.config();
        this.weight = registerParameter("weight", layer.weight());
        this.bias = layer.bias() == null ? null : registerParameter("bias", layer.bias());
        describe("qat, " + config.inChannels() + ", " + config.outChannels());
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.dim() == 3;
        Tensor in = input.apply(unbatched ? x.unsqueeze(0) : x, isTraining());
        Tensor y = Conv.conv2d(in, FakeQuant.perChannelSymmetric(weight), bias, config.stride(), config.padding(),
                config.dilation(), config.groups());
        return unbatched ? y.squeeze(0) : y;
    }

    public ActivationObserver observer() {
        return input;
    }
}
