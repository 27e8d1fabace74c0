package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.PoolKernels;

/** Scalar PoolKernels (placeholder: the kernels land with the layers that use them). */
final class ReferencePooling implements PoolKernels {

    @Override
    public void maxPool2d(float[] x, int xOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, float[] out, int outOff, int oh, int ow, int[] argmax, int argOff) {
        throw new UnsupportedOperationException("maxPool2d: not implemented yet");
    }

    @Override
    public void maxPool2dBackward(float[] g, int gOff, int[] argmax, int argOff, int planes, int oh, int ow, float[] dx, int dxOff, int h, int w) {
        throw new UnsupportedOperationException("maxPool2dBackward: not implemented yet");
    }

    @Override
    public void avgPool2d(float[] x, int xOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, boolean countIncludePad, float[] out, int outOff, int oh, int ow) {
        throw new UnsupportedOperationException("avgPool2d: not implemented yet");
    }

    @Override
    public void avgPool2dBackward(float[] g, int gOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, boolean countIncludePad, float[] dx, int dxOff, int oh, int ow) {
        throw new UnsupportedOperationException("avgPool2dBackward: not implemented yet");
    }
}
