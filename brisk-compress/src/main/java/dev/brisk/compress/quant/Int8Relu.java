package dev.brisk.compress.quant;

/** ReLU on int8 codes: the real 0 is the zero point, so {@code max(q, zp)}. */
public record Int8Relu() implements Int8Layer {

    @Override
    public QTensor apply(QTensor x) {
        byte[] in = x.data();
        byte[] out = new byte[in.length];
        byte zp = (byte) x.q().zeroPoint();
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] < zp ? zp : in[i];
        }
        return new QTensor(out, x.shape(), x.q());
    }
}
