package dev.brisk.tensor.conformance;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic inputs and the memory layouts the conformance tests feed every op. */
final class Data {

    private Data() {
    }

    /** Sizes that leave SIMD tails for every vector width from 4 to 16 lanes, and cross the parallel threshold. */
    static final int[] AWKWARD = {1, 15, 17, 33, 127, 129};

    /** Above {@code StridedLoop.PARALLEL_MIN_ELEMENTS} (32768): split over the intra-op pool. */
    static final int LARGE = 40_961;

    static float[] uniform(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** Inputs in the op's domain; a few exact zeros and, where defined, values that hit special branches. */
    static float[] forUnary(UnaryOp op, long seed, int n) {
        float[] x = switch (op) {
            case LOG, SQRT, RSQRT, RECIPROCAL -> uniform(seed, n, 1e-3, 100);
            case EXP -> uniform(seed, n, -80, 80);
            case TANH, SIGMOID, SILU, GELU_ERF, GELU_TANH -> uniform(seed, n, -12, 12);
            default -> uniform(seed, n, -5, 5);
        };
        if (op != UnaryOp.LOG && op != UnaryOp.RSQRT && op != UnaryOp.RECIPROCAL && n > 3) {
            x[n / 2] = 0f;
        }
        return x;
    }

    record Laid(String name, Tensor tensor) {
    }

    /** One logical tensor in several layouts: contiguous, transposed storage, stepped slice, offset window. */
    static List<Laid> layouts(float[] values, int... shape) {
        List<Laid> out = new ArrayList<>();
        out.add(new Laid("contiguous", Tensor.of(values, shape)));
        int r = shape.length;
        if (r >= 2) {
            int[] rev = new int[r];
            int[] order = new int[r];
            for (int d = 0; d < r; d++) {
                rev[d] = shape[r - 1 - d];
                order[d] = r - 1 - d;
            }
            Tensor stored = Tensor.of(values, shape).permute(order).contiguous(); // shape rev, contiguous
            out.add(new Laid("transposed", Tensor.wrap(DType.F32, stored.toFloatArray(), rev).permute(order)));
        }
        if (r >= 1) {
            int[] big = shape.clone();
            big[r - 1] = 2 * shape[r - 1];
            Tensor wide = Tensor.full(Float.NaN, big);
            Tensor stepped = wide.slice(r - 1, 1, big[r - 1], 2);
            stepped.copyFrom(Tensor.of(values, shape));
            out.add(new Laid("step2", stepped));
            int[] tall = shape.clone();
            tall[0] += 2;
            Tensor t = Tensor.full(Float.NaN, tall);
            Tensor win = t.narrow(0, 1, shape[0]);
            win.copyFrom(Tensor.of(values, shape));
            out.add(new Laid("offset", win));
        }
        return out;
    }

    static String shape(int... s) {
        return Arrays.toString(s).replace(" ", "");
    }
}
