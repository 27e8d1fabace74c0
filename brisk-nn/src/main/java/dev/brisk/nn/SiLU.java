package dev.brisk.nn;

import dev.brisk.tensor.Tensor;

/** {@code x·sigmoid(x) (swish)}, elementwise. Any shape; no parameters. */
public final class SiLU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("SiLU", x);
        return x.silu();
    }
}
