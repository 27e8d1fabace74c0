package dev.brisk.nn;

import dev.brisk.tensor.Tensor;

/** {@code max(x, 0)}, elementwise. Any shape; no parameters. */
public final class ReLU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("ReLU", x);
        return x.relu();
    }
}
