package dev.brisk.nn;

import dev.brisk.tensor.Tensor;

/** {@code tanh x}, elementwise. Any shape; no parameters. */
public final class Tanh extends Module {

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("Tanh", x);
        return x.tanh();
    }
}
