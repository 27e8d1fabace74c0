package dev.brisk.nn;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;

/** Argument and input-shape checks shared by the layers; every message names the layer and the fix. */
final class Checks {

    private Checks() {
    }

    static int positive(String layer, String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(layer + ": " + what + " must be positive, got " + value);
        }
        return value;
    }

    static int nonNegative(String layer, String what, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(layer + ": " + what + " must be non-negative, got " + value);
        }
        return value;
    }

    static float positiveFinite(String layer, String what, float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(layer + ": " + what + " must be positive and finite, got " + value);
        }
        return value;
    }

    /** A per-dimension (height, width) setting: exactly two values, each checked by {@code check}. */
    static int[] pair(String layer, String what, int[] values, boolean allowZero) {
        if (values == null || values.length != 2) {
            throw new IllegalArgumentException(layer + ": " + what + " needs 2 values (height, width), got "
                    + (values == null ? "null" : Shapes.format(values)));
        }
        for (int v : values) {
            if (allowZero ? v < 0 : v <= 0) {
                throw new IllegalArgumentException(layer + ": " + what + " must be " + (allowZero ? "non-negative"
                        : "positive") + ", got " + Shapes.format(values));
            }
        }
        return values.clone();
    }

    /** Throws unless the input has one of the given ranks. */
    static void rank(String layer, Tensor x, String expected, int... ranks) {
        for (int r : ranks) {
            if (x.dim() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(layer + ": expected input of shape " + expected + ", got "
                + Shapes.format(x.shape()));
    }

    /** Throws unless {@code x.size(dim) == size}. */
    static void size(String layer, Tensor x, int dim, int size, String expected) {
        if (x.dim() == 0 || x.size(dim) != size) {
            throw new IllegalArgumentException(layer + ": expected input of shape " + expected + ", got "
                    + Shapes.format(x.shape()));
        }
    }

    static void floating(String layer, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(layer + ": expected a floating-point input, got " + x.dtype());
        }
    }
}
