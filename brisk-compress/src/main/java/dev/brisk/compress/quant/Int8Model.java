package dev.brisk.compress.quant;

import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;
import java.util.List;

/**
 * An int8 inference model: the input is quantized with the calibrated input parameters, every layer maps int8 to
 * int8, and the last layer's output is real-valued (logits). A {@link Module} without parameters, so evaluation and
 * timing code take it like any model; it cannot be trained.
 */
public final class Int8Model extends Module {

    private final QParams input;
    private final List<Int8Layer> layers;

    public Int8Model(QParams input, List<Int8Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("Int8Model: needs at least one layer");
        }
        this.input = input;
        this.layers = List.copyOf(layers);
        describe(layers.size() + " int8 layers, input scale=" + input.scale() + ", zero_point=" + input.zeroPoint());
    }

    @Override
    public Tensor forward(Tensor x) {
        QTensor q = QTensor.quantize(x, input);
        for (int i = 0; i < layers.size() - 1; i++) {
            q = layers.get(i).apply(q);
        }
        return layers.getLast().applyReal(q);
    }

    public QParams input() {
        return input;
    }

    public List<Int8Layer> layers() {
        return layers;
    }

    /** Weight elements over all layers (one byte each in the model file). */
    public long weightCount() {
        return layers.stream().mapToLong(Int8Layer::weightCount).sum();
    }
}
