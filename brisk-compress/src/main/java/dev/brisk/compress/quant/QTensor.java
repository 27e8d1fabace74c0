package dev.brisk.compress.quant;

import dev.brisk.tensor.Tensor;

/**
 * An int8 activation: row-major values, their shape (batch first) and the affine parameters they are quantized with.
 */
public record QTensor(byte[] data, int[] shape, QParams q) {

    public QTensor {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
    }

    /** Quantizes a float tensor with {@code q}. */
    public static QTensor quantize(Tensor x, QParams q) {
        float[] v = x.contiguous().toFloatArray();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = q.quantize(v[i]);
        }
        return new QTensor(out, x.shape(), q);
    }

    /** The real values this stands for, as an F32 tensor. */
    public Tensor dequantize() {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = q.dequantize(data[i]);
        }
        return Tensor.of(out, shape);
    }

    /** Values per batch entry. */
    public int perSample() {
        return data.length / shape[0];
    }
}
