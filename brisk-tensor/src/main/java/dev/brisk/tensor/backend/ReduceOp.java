package dev.brisk.tensor.backend;

/** Reductions along one axis. MAX and MIN propagate NaN. */
public enum ReduceOp {
    SUM, MAX, MIN
}
