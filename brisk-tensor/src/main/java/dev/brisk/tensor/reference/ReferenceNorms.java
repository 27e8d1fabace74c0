package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.NormKernels;

/** Scalar NormKernels (placeholder: the kernels land with the layers that use them). */
final class ReferenceNorms implements NormKernels {

    @Override
    public void layerNorm(float[] x, int xOff, int rows, int n, float[] gamma, float[] beta, float eps, float[] y, int yOff, float[] mean, float[] rstd) {
        throw new UnsupportedOperationException("layerNorm: not implemented yet");
    }

    @Override
    public void layerNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma, float[] mean, float[] rstd, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        throw new UnsupportedOperationException("layerNormBackward: not implemented yet");
    }

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int n, float[] gamma, float eps, float[] y, int yOff, float[] rstd) {
        throw new UnsupportedOperationException("rmsNorm: not implemented yet");
    }

    @Override
    public void rmsNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma, float[] rstd, float[] dx, int dxOff, float[] dgamma) {
        throw new UnsupportedOperationException("rmsNormBackward: not implemented yet");
    }

    @Override
    public void channelStats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] var) {
        throw new UnsupportedOperationException("channelStats: not implemented yet");
    }

    @Override
    public void channelAffine(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] scale, float[] shift, float[] y, int yOff) {
        throw new UnsupportedOperationException("channelAffine: not implemented yet");
    }

    @Override
    public void batchNormBackward(float[] g, int gOff, float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] rstd, float[] gamma, float[] dx, int dxOff, float[] dgamma, float[] dbeta) {
        throw new UnsupportedOperationException("batchNormBackward: not implemented yet");
    }
}
