package dev.brisk.compress.quant;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b} in int8: (B, in) int8 × W (out, in) int8 with per-output-channel scales → (B, out) int32 →
 * requantized int8 (or real output as the last layer); see {@link Requantizer}.
 */
public record Int8Linear(byte[] weight, int out, int in, float[] weightScale, float[] bias, boolean relu,
                         QParams outParams) implements Int8Layer {

    public Int8Linear {
        if (weight.length != out * in || weightScale.length != out || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("Int8Linear: weight (" + out + ", " + in + ") needs " + out * in
                    + " values and " + out + " scales/biases");
        }
    }

    private Requantizer requantizer() {
        return new Requantizer(weight, out, weightScale, bias, relu, outParams);
    }

    @Override
    public QTensor apply(QTensor x) {
        int batch = x.shape()[0];
        int[] acc = accumulate(x);
        Requantizer r = requantizer();
        byte[] y = new byte[batch * out];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.requantize(acc[i], i % out, x.q());
        }
        return new QTensor(y, new int[] {batch, out}, outParams);
    }

    @Override
    public Tensor applyReal(QTensor x) {
        if (outParams != null) {
            return apply(x).dequantize();
        }
        int batch = x.shape()[0];
        int[] acc = accumulate(x);
        Requantizer r = requantizer();
        float[] y = new float[batch * out];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.real(acc[i], i % out, x.q());
        }
        return Tensor.of(y, batch, out);
    }

    /** (B, out) int32: rows of samples split across threads. */
    private int[] accumulate(QTensor x) {
        if (x.shape().length != 2 || x.shape()[1] != in) {
            throw new IllegalArgumentException("Int8Linear: expected input (B, " + in + "), got "
                    + java.util.Arrays.toString(x.shape()));
        }
        int batch = x.shape()[0];
        int[] acc = new int[batch * out];
        int tasks = Math.min(batch, Parallel.threads());
        Parallel.forEach(tasks, t -> {
            int lo = batch * t / tasks;
            int hi = batch * (t + 1) / tasks;
            Int8Gemm.gemm(x.data(), lo * in, weight, 0, acc, lo * out, hi - lo, out, in);
        });
        return acc;
    }

    @Override
    public long weightCount() {
        return weight.length;
    }
}
