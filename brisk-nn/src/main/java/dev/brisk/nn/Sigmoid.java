package dev.brisk.nn;

import dev.brisk.tensor.Tensor;

/** {@code 1 / (1 + e^−x)}, elementwise. Any shape; no parameters. */
public final class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("Sigmoid", x);
        return x.sigmoid();
    }
}
