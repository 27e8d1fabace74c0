package dev.brisk.tensor.backend;

/** Elementwise functions of two floats, {@code a op b}. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** a^b (Math.pow semantics) */
    POW,
    /** max(a, b); NaN if either is NaN */
    MAX,
    /** min(a, b); NaN if either is NaN */
    MIN
}
