package dev.brisk.tensor.backend;

/**
 * 2-D pooling over contiguous planes: {@code x} is (planes, h, w) with planes = N·C, {@code out} is
 * (planes, oh, ow). Padding positions are never the max and, for average pooling, count toward the divisor
 * only when {@code countIncludePad}.
 */
public interface PoolKernels {

    /**
     * out = max over each window; {@code argmax} receives the flat index (0..h·w-1) within the plane of each max:
     * the first maximum in row-major window order, a NaN counting as the maximum. A window with no in-image
     * element (possible with dilation) gives -inf and index -1.
     */
    void maxPool2d(float[] x, int xOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                   int dh, int dw, float[] out, int outOff, int oh, int ow, int[] argmax, int argOff);

    /** dx[argmax] += g: the backward of {@link #maxPool2d} (index -1 is skipped); {@code dx} is zeroed by the caller. */
    void maxPool2dBackward(float[] g, int gOff, int[] argmax, int argOff, int planes, int oh, int ow,
                           float[] dx, int dxOff, int h, int w);

    /** out = mean over each window. */
    void avgPool2d(float[] x, int xOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                   boolean countIncludePad, float[] out, int outOff, int oh, int ow);

    /** dx += g / count spread over each window; {@code dx} is zeroed by the caller. */
    void avgPool2dBackward(float[] g, int gOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph,
                           int pw, boolean countIncludePad, float[] dx, int dxOff, int oh, int ow);
}
