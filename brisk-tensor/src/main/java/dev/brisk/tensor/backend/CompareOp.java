package dev.brisk.tensor.backend;

/** Elementwise comparisons producing booleans; any comparison with NaN is false except {@code NE}. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE
}
