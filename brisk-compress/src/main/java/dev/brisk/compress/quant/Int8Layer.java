package dev.brisk.compress.quant;

import dev.brisk.tensor.Tensor;

/** One layer of an {@link Int8Model}: int8 activations in, int8 activations out. */
public sealed interface Int8Layer permits Int8Conv2d, Int8Linear, Int8MaxPool, Int8Relu, Int8Flatten {

    QTensor apply(QTensor x);

    /** The layer as the model's last: real-valued output (only conv and linear layers without output parameters). */
    default Tensor applyReal(QTensor x) {
        return apply(x).dequantize();
    }

    /** Weight elements (stored as int8). */
    default long weightCount() {
        return 0;
    }
}
