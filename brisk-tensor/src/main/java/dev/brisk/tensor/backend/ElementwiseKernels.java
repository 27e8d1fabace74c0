package dev.brisk.tensor.backend;

/**
 * Elementwise kernels over one contiguous run of {@code n} floats. The tensor layer splits broadcasting and
 * strided tensors into such runs; an operand stride is 1 (contiguous) or 0 (one value broadcast over the run).
 * Output and inputs may be the same array at the same offset (in-place), never partially overlapping.
 */
public interface ElementwiseKernels {

    /** out[i] = op(x[i]) */
    void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n);

    /** out[i] = a[i·aStride] op b[i·bStride], strides 0 or 1 */
    void binary(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                float[] out, int outOff, int n);

    /** out[i] = a[i·aStride] cmp b[i·bStride], strides 0 or 1 */
    void compare(CompareOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                 boolean[] out, int outOff, int n);

    /**
     * out[i] = g[i] · op'(x[i]): the backward of a unary op, fused so that the derivative never materialises.
     * The default is the scalar definition ({@link dev.brisk.tensor.reference.ReferenceElementwise#derivative}).
     */
    default void unaryGrad(UnaryOp op, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = g[gOff + i]
                    * dev.brisk.tensor.reference.ReferenceElementwise.derivative(op, x[xOff + i]);
        }
    }

    /** dst[i] = bf16(src[i]), round to nearest even, NaN stays NaN (the definition is {@link dev.brisk.tensor.DTypes}). */
    default void toBf16(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        dev.brisk.tensor.DTypes.toBf16(src, srcOff, dst, dstOff, n);
    }

    /** dst[i] = the float value of the bf16 bits src[i] (exact). */
    default void fromBf16(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        dev.brisk.tensor.DTypes.fromBf16(src, srcOff, dst, dstOff, n);
    }
}
