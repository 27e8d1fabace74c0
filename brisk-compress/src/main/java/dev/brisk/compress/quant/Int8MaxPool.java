package dev.brisk.compress.quant;

/**
 * Max pooling on int8 values (no padding, dilation 1): quantization is monotone, so the max of the codes is the
 * code of the max and the output keeps the input's parameters.
 */
public record Int8MaxPool(int[] kernel, int[] stride) implements Int8Layer {

    @Override
    public QTensor apply(QTensor x) {
        int[] s = x.shape();
        int planes = s[0] * s[1];
        int h = s[2];
        int w = s[3];
        int oh = (h - kernel[0]) / stride[0] + 1;
        int ow = (w - kernel[1]) / stride[1] + 1;
        byte[] in = x.data();
        byte[] out = new byte[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int m = Byte.MIN_VALUE;
                    for (int dy = 0; dy < kernel[0]; dy++) {
                        int row = (p * h + oy * stride[0] + dy) * w + ox * stride[1];
                        for (int dx = 0; dx < kernel[1]; dx++) {
                            m = Math.max(m, in[row + dx]);
                        }
                    }
                    out[(p * oh + oy) * ow + ox] = (byte) m;
                }
            }
        }
        return new QTensor(out, new int[] {s[0], s[1], oh, ow}, x.q());
    }
}
