package dev.brisk.cpu.ops;

import dev.brisk.tensor.backend.SoftmaxKernels;
import dev.brisk.tensor.reference.ReferenceBackend;

/** Placeholder: delegates to the reference kernels until the Vector API version lands. */
public final class VectorSoftmax implements SoftmaxKernels {
    private static final SoftmaxKernels DELEGATE = new ReferenceBackend().softmax().orElseThrow();

    @Override
    public void softmax(boolean log, float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
        DELEGATE.softmax(log, x, xOff, rows, cols, out, outOff);
    }
}
