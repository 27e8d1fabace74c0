package dev.brisk.tensor;

import java.util.Arrays;

/** Shape/stride arithmetic behind the views: none of these copy data. */
final class ViewOps {

    private ViewOps() {
    }

    /** Replaces one -1 by the size that keeps numel; validates the rest. */
    static int[] inferShape(String op, int[] from, int[] requested) {
        int[] shape = requested.clone();
        int numel = Shapes.numel(from);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Shapes.format(requested));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " in " + Shapes.format(requested));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Shapes.format(requested)
                        + " is invalid for a tensor of shape " + Shapes.format(from) + " (" + numel + " elements)");
            }
            shape[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + Shapes.format(requested)
                    + " is invalid for a tensor of shape " + Shapes.format(from) + " (" + numel + " elements)");
        }
        return shape;
    }

    /**
     * Strides for viewing (shape, strides) as newShape without copying, or null when the memory layout does not
     * allow it. Groups of old dims that are contiguous with each other may be split or merged freely.
     */
    static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
        int[] out = new int[newShape.length];
        if (Shapes.numel(shape) == 0 || shape.length == 0) {
            return Shapes.contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBase = strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            boolean chunkEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase);
            if (chunkEnds) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? out : null;
    }

    static boolean isContiguous(int[] shape, int[] strides) {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return shape[i] == 0 || Arrays.stream(shape).anyMatch(s -> s == 0);
            }
            expected *= shape[i];
        }
        return true;
    }
}
