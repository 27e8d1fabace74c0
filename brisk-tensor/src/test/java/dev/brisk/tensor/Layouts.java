package dev.brisk.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The same logical values in different memory layouts, built by hand so tests can feed ops non-contiguous
 * operands: contiguous, reversed-dims storage permuted back (transposed), every element at an odd position of
 * a doubled last dim (sliced with step 2), and a window of a larger tensor (offset).
 */
final class Layouts {

    private Layouts() {
    }

    record Laid(String name, Tensor tensor) {
    }

    static List<Laid> of(float[] values, int... shape) {
        List<Laid> out = new ArrayList<>();
        out.add(new Laid("contiguous", Tensor.of(values, shape)));
        if (shape.length >= 2) {
            out.add(new Laid("transposed", transposed(values, shape)));
        }
        if (shape.length >= 1) {
            out.add(new Laid("step2", stepped(values, shape)));
            out.add(new Laid("offset", offset(values, shape)));
        }
        return out;
    }

    /** Storage holds the values with dims reversed; the returned view permutes them back. */
    static Tensor transposed(float[] values, int[] shape) {
        int r = shape.length;
        int[] rev = new int[r];
        int[] order = new int[r];
        for (int d = 0; d < r; d++) {
            rev[d] = shape[r - 1 - d];
            order[d] = r - 1 - d;
        }
        float[] store = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            int[] idx = TestSupport.unravel(i, shape);
            int[] ridx = new int[r];
            for (int d = 0; d < r; d++) {
                ridx[d] = idx[r - 1 - d];
            }
            store[TestSupport.ravel(ridx, rev)] = values[i];
        }
        Tensor t = Tensor.wrap(DType.F32, store, rev).permute(order);
        if (r >= 2 && shape[r - 1] > 1 && shape[r - 2] > 1 && t.isContiguous()) {
            throw new AssertionError("layout helper: expected a non-contiguous view");
        }
        return t;
    }

    /** Last dim doubled plus one; the values sit at positions 1, 3, 5, ... of it (NaN elsewhere). */
    static Tensor stepped(float[] values, int[] shape) {
        int r = shape.length;
        int[] big = shape.clone();
        big[r - 1] = 2 * shape[r - 1] + 1;
        float[] store = new float[TestSupport.numel(big)];
        java.util.Arrays.fill(store, Float.NaN);
        for (int i = 0; i < values.length; i++) {
            int[] idx = TestSupport.unravel(i, shape);
            idx[r - 1] = 2 * idx[r - 1] + 1;
            store[TestSupport.ravel(idx, big)] = values[i];
        }
        return Tensor.wrap(DType.F32, store, big).slice(r - 1, 1, big[r - 1], 2);
    }

    /** A window starting at index 2 of a first dim that is 3 longer (NaN around it). */
    static Tensor offset(float[] values, int[] shape) {
        int[] big = shape.clone();
        big[0] += 3;
        float[] store = new float[TestSupport.numel(big)];
        java.util.Arrays.fill(store, Float.NaN);
        int inner = values.length / Math.max(shape[0], 1);
        System.arraycopy(values, 0, store, 2 * inner, values.length);
        return Tensor.wrap(DType.F32, store, big).narrow(0, 2, shape[0]);
    }
}
