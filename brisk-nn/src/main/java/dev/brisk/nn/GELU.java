package dev.brisk.nn;

import dev.brisk.tensor.Tensor;

/**
 * Gaussian error linear unit, elementwise, any shape: exact {@code x·Φ(x) = x/2·(1 + erf(x/√2))} (PyTorch's
 * default), or the tanh approximation {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} used by GPT-2.
 */
public final class GELU extends Module {

    /** Which formula: NONE is the exact erf form, TANH the approximation (PyTorch's {@code approximate}). */
    public enum Approximation {
        NONE,
        TANH
    }

    private final Approximation approximation;

    /** The exact (erf) form. */
    public GELU() {
        this(Approximation.NONE);
    }

    public GELU(Approximation approximation) {
        this.approximation = java.util.Objects.requireNonNull(approximation, "GELU: approximation");
        if (approximation == Approximation.TANH) {
            describe("approximate='tanh'");
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Checks.floating("GELU", x);
        return approximation == Approximation.TANH ? x.geluTanh() : x.gelu();
    }

    public Approximation approximation() {
        return approximation;
    }
}
