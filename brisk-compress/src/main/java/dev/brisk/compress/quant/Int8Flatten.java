package dev.brisk.compress.quant;

/** (N, ...) → (N, rest): a reshape of the codes. */
public record Int8Flatten() implements Int8Layer {

    @Override
    public QTensor apply(QTensor x) {
        return new QTensor(x.data(), new int[] {x.shape()[0], x.perSample()}, x.q());
    }
}
