package dev.brisk.compress.quant;

import dev.brisk.tensor.Tensor;

/**
 * The input range of a layer during quantization-aware training: while observing (training mode, not frozen), the
 * running min and max of what the layer receives are extended; the fake quantization then uses the affine
 * parameters of that range. {@link #freeze()} stops the observation, so the last steps train against fixed
 * quantization grids as inference will use.
 */
public final class ActivationObserver {

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private boolean frozen;

    /** Observes {@code x} (when {@code training} and not frozen) and returns it fake-quantized. */
    public Tensor apply(Tensor x, boolean training) {
        if (training && !frozen) {
            FakeQuant.untracked(() -> {
                min = Math.min(min, x.min().item());
                max = Math.max(max, x.max().item());
            });
        }
        if (min > max) {
            return x; // nothing observed yet
        }
        return FakeQuant.perTensor(x, qparams());
    }

    public QParams qparams() {
        return QParams.affine(min, max);
    }

    public void freeze() {
        frozen = true;
    }

    public boolean isFrozen() {
        return frozen;
    }
}
