package dev.brisk.tensor.backend;

/** Elementwise functions of one float. Each constant's Javadoc is its definition. */
public enum UnaryOp {
    /** -x */
    NEG,
    /** |x| */
    ABS,
    /** e^x */
    EXP,
    /** ln x */
    LOG,
    /** √x */
    SQRT,
    /** 1/√x */
    RSQRT,
    /** 1/x */
    RECIPROCAL,
    /** x² */
    SQUARE,
    /** tanh x */
    TANH,
    /** 1/(1+e^-x) */
    SIGMOID,
    /** max(x, 0) */
    RELU,
    /** x·Φ(x) with Φ the normal CDF: x/2·(1+erf(x/√2)) */
    GELU_ERF,
    /** x/2·(1+tanh(√(2/π)·(x+0.044715x³))) */
    GELU_TANH,
    /** x·sigmoid(x) */
    SILU
}
