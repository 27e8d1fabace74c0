package dev.brisk.cpu.ops;

import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.reference.ReferenceBackend;

/** Placeholder: delegates to the reference kernels until the Vector API version lands. */
public final class VectorElementwise implements ElementwiseKernels {
    private static final ElementwiseKernels DELEGATE = new ReferenceBackend().elementwise().orElseThrow();

    @Override
    public void unary(dev.brisk.tensor.backend.UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
        DELEGATE.unary(op, x, xOff, out, outOff, n);
    }

    @Override
    public void binary(dev.brisk.tensor.backend.BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff,
                       int bStride, float[] out, int outOff, int n) {
        DELEGATE.binary(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
    }

    @Override
    public void compare(dev.brisk.tensor.backend.CompareOp op, float[] a, int aOff, int aStride, float[] b, int bOff,
                        int bStride, boolean[] out, int outOff, int n) {
        DELEGATE.compare(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
    }
}
