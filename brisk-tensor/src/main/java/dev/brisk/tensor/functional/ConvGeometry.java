package dev.brisk.tensor.functional;

/**
 * The shapes of one 2-D convolution, validated by {@link Conv}: input (n, c, h, w), weight (o, c/groups, kh, kw),
 * output (n, o, oh, ow) with {@code oh = (h + 2·ph − dh·(kh − 1) − 1) / sh + 1} (likewise ow).
 */
record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
                    int dw, int groups, int oh, int ow) {

    /** Input channels per group. */
    int cg() {
        return c / groups;
    }

    /** Output channels per group. */
    int og() {
        return o / groups;
    }

    /** GEMM reduction length per group: cg·kh·kw (rows of the column matrix). */
    int kg() {
        return cg() * kh * kw;
    }

    /** Output pixels per image: oh·ow (columns of the column matrix). */
    int l() {
        return oh * ow;
    }

    /** A 1×1, stride-1, unpadded convolution reads the input itself as its column matrix. */
    boolean pointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
    }

    /** Multiply-adds of the forward pass: n·o·oh·ow·cg·kh·kw (FLOPs are twice this). */
    long macs() {
        return (long) n * o * l() * kg();
    }
}
