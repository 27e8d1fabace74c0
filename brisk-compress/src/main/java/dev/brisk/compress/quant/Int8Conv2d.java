package dev.brisk.compress.quant;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.Tensor;

/**
 * 2-D convolution in int8 (one group, dilation 1): per sample, the input patches are gathered (im2col, padding
 * filled with the input's zero point, which stands for the real 0) into (C·kh·kw, OH·OW) int8, multiplied by the
 * weight (out, C·kh·kw) into int32 (out, OH·OW) with {@link Int8Gemm#gemmNN}, and requantized; see {@link Requantizer}.
 */
public record Int8Conv2d(byte[] weight, int[] weightShape, float[] weightScale, float[] bias, int[] stride,
                         int[] padding, boolean relu, QParams outParams) implements Int8Layer {

    public Int8Conv2d {
        int out = weightShape[0];
        if (weight.length != out * weightShape[1] * weightShape[2] * weightShape[3] || weightScale.length != out
                || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("Int8Conv2d: weight " + java.util.Arrays.toString(weightShape)
                    + " does not match " + weight.length + " values / " + weightScale.length + " scales");
        }
    }

    @Override
    public QTensor apply(QTensor x) {
        Requantizer r = new Requantizer(weight, weightShape[0], weightScale, bias, relu, outParams);
        int[] os = outShape(x.shape());
        byte[] y = new byte[os[0] * os[1] * os[2] * os[3]];
        run(x, os, (acc, o, pixels, at) -> r.requantizePlane(acc, o * pixels, pixels, o, x.q(), y, at));
        return new QTensor(y, os, outParams);
    }

    @Override
    public Tensor applyReal(QTensor x) {
        if (outParams != null) {
            return apply(x).dequantize();
        }
        Requantizer r = new Requantizer(weight, weightShape[0], weightScale, bias, relu, null);
        int[] os = outShape(x.shape());
        float[] y = new float[os[0] * os[1] * os[2] * os[3]];
        run(x, os, (acc, o, pixels, at) -> r.realPlane(acc, o * pixels, pixels, o, x.q(), y, at));
        return Tensor.of(y, os);
    }

    /** Takes output channel {@code o}'s plane of one sample's accumulators (out, pixels) to {@code at}. */
    private interface Sink {
        void plane(int[] acc, int o, int pixels, int at);
    }

    private int[] outShape(int[] in) {
        if (in.length != 4 || in[1] != weightShape[1]) {
            throw new IllegalArgumentException("Int8Conv2d: expected input (N, " + weightShape[1] + ", H, W), got "
                    + java.util.Arrays.toString(in));
        }
        int oh = (in[2] + 2 * padding[0] - weightShape[2]) / stride[0] + 1;
        int ow = (in[3] + 2 * padding[1] - weightShape[3]) / stride[1] + 1;
        return new int[] {in[0], weightShape[0], oh, ow};
    }

    private void run(QTensor x, int[] os, Sink sink) {
        int[] is = x.shape();
        int c = is[1];
        int h = is[2];
        int w = is[3];
        int out = weightShape[0];
        int kh = weightShape[2];
        int kw = weightShape[3];
        int k = c * kh * kw;
        int pixels = os[2] * os[3];
        byte zp = (byte) x.q().zeroPoint();
        Parallel.forEach(is[0], n -> {
            byte[] cols = new byte[pixels * k];
            im2col(x.data(), n * c * h * w, c, h, w, kh, kw, os[2], os[3], zp, cols);
            int[] acc = new int[out * pixels];
            Int8Gemm.gemmNN(weight, 0, cols, 0, acc, 0, out, pixels, k);
            int base = n * out * pixels;
            for (int o = 0; o < out; o++) {
                sink.plane(acc, o, pixels, base + o * pixels);
            }
        });
    }

    /** cols[((ci·kh + dy)·kw + dx)·P + oy·OW + ox] = x[ci][oy·s + dy − p][ox·s + dx − p], zero point outside. */
    private void im2col(byte[] x, int off, int c, int h, int w, int kh, int kw, int oh, int ow, byte zp,
                        byte[] cols) {
        int pixels = oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int dy = 0; dy < kh; dy++) {
                for (int dx = 0; dx < kw; dx++) {
                    int row = ((ci * kh + dy) * kw + dx) * pixels;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride[0] + dy - padding[0];
                        int at = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(cols, at, at + ow, zp);
                            continue;
                        }
                        int src = off + (ci * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride[1] + dx - padding[1];
                            cols[at + ox] = ix < 0 || ix >= w ? zp : x[src + ix];
                        }
                    }
                }
            }
        }
    }

    @Override
    public long weightCount() {
        return weight.length;
    }
}
