package dev.brisk.cpu.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.ReduceOp;
import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VectorReductions} against the reference over (outer, r, inner) in {1, 3, 17, 129}³ plus long rows and
 * wide column blocks that cross the parallel threshold, with an input offset and an output offset, on 1 and
 * 2 threads.
 *
 * <p>Tolerances: MAX, MIN, argmax and argmin must be exact (NaN, ±0 and ties included). SUM may differ from the
 * double-accumulated reference by {@code 2e-6·Σ|x| + 1.2e-7·|Σx|} (float partial sums plus the final
 * rounding); that is ~100× the error we see, and an order of magnitude below what a dropped or doubled
 * element costs.
 */
class VectorReductionsTest {

    private static final int THREADS = Parallel.threads();
    private static final int[] SIZES = {1, 3, 17, 129};
    private static final ReductionKernels REFERENCE = new ReferenceBackend().reductions().orElseThrow();

    private final VectorReductions kernels = new VectorReductions();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    /** (outer, r, inner) shapes to test. */
    private static List<int[]> shapes() {
        List<int[]> shapes = new ArrayList<>();
        for (int o : SIZES) {
            for (int r : SIZES) {
                for (int i : SIZES) {
                    shapes.add(new int[] {o, r, i});
                }
            }
        }
        shapes.add(new int[] {1, 100003, 1});   // one long row, split in blocks
        shapes.add(new int[] {2, 50001, 1});    // rows split across threads
        shapes.add(new int[] {1, 5, 20011});    // one wide column block, split along inner
        shapes.add(new int[] {3, 1000, 33});
        shapes.add(new int[] {4096, 16, 1});    // many short rows
        return shapes;
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void reduceMatchesReference(int threads) {
        Parallel.setThreads(threads);
        for (int[] s : shapes()) {
            int outer = s[0], r = s[1], inner = s[2];
            int n = outer * r * inner;
            float[] x = data(n * 7L + r, n + 5, false);
            for (ReduceOp op : ReduceOp.values()) {
                float[] expected = new float[outer * inner];
                REFERENCE.reduce(op, x, 5, outer, r, inner, expected, 0);
                float[] actual = new float[outer * inner + 2];
                actual[0] = 77f;
                kernels.reduce(op, x, 5, outer, r, inner, actual, 1);
                assertEquals(77f, actual[0], "element before the output was written");
                for (int k = 0; k < expected.length; k++) {
                    float e = expected[k];
                    float a = actual[1 + k];
                    boolean ok;
                    if (op == ReduceOp.SUM && Float.isFinite(e)) {
                        double abs = absSum(x, 5, r, inner, k);
                        ok = Math.abs((double) a - e) <= 2e-6 * abs + 1.2e-7 * Math.abs(e);
                    } else {
                        ok = Float.compare(e, a) == 0;
                    }
                    if (!ok) {
                        fail(op + " " + Arrays.toString(s) + " threads=" + threads + " out[" + k + "]: expected "
                                + e + ", got " + a);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void argReduceMatchesReference(int threads) {
        Parallel.setThreads(threads);
        for (int[] s : shapes()) {
            int outer = s[0], r = s[1], inner = s[2];
            int n = outer * r * inner;
            float[] x = data(n * 13L + inner, n + 3, true);
            for (boolean max : new boolean[] {true, false}) {
                long[] expected = new long[outer * inner];
                REFERENCE.argReduce(max, x, 3, outer, r, inner, expected, 0);
                long[] actual = new long[outer * inner + 1];
                kernels.argReduce(max, x, 3, outer, r, inner, actual, 1);
                for (int k = 0; k < expected.length; k++) {
                    if (expected[k] != actual[1 + k]) {
                        fail((max ? "argmax " : "argmin ") + Arrays.toString(s) + " threads=" + threads + " out["
                                + k + "]: expected " + expected[k] + ", got " + actual[1 + k]);
                    }
                }
            }
        }
    }

    @Test
    void specialValues() {
        float[] x = {1f, Float.NaN, 3f, Float.POSITIVE_INFINITY, -0f, 0f, Float.NEGATIVE_INFINITY, 2f};
        float[] out = new float[1];
        kernels.reduce(ReduceOp.MAX, x, 0, 1, x.length, 1, out, 0);
        assertEquals(Float.NaN, out[0]);
        kernels.reduce(ReduceOp.SUM, x, 2, 1, 3, 1, out, 0);
        assertEquals(Float.POSITIVE_INFINITY, out[0]);
        kernels.reduce(ReduceOp.SUM, x, 3, 1, 4, 1, out, 0);   // +∞ + -∞
        assertEquals(Float.NaN, out[0]);
        kernels.reduce(ReduceOp.MAX, x, 4, 1, 2, 1, out, 0);   // max(-0, +0) = +0
        assertEquals(0f, out[0]);
        kernels.reduce(ReduceOp.MIN, x, 4, 1, 2, 1, out, 0);   // min(-0, +0) = -0
        assertEquals(-0f, out[0]);
        long[] idx = new long[1];
        kernels.argReduce(true, x, 0, 1, x.length, 1, idx, 0);
        assertEquals(1, idx[0], "the first NaN wins");
        kernels.argReduce(false, x, 2, 1, 6, 1, idx, 0);
        assertEquals(4, idx[0], "-∞ at 4 of the row starting at 2");
    }

    /**
     * Values for a reduction: uniform [-1, 1) of mixed sign, with ties (a quarter rounded to multiples of 1/4),
     * ±0, ±∞ in a few places, and NaN in about one block in eight when {@code nans}.
     */
    private static float[] data(long seed, int n, boolean nans) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double u = rnd.nextDouble() * 2 - 1;
            x[i] = (float) (rnd.nextInt(4) == 0 ? Math.rint(u * 4) / 4 : u);
            if (rnd.nextInt(997) == 0) {
                x[i] = rnd.nextBoolean() ? 0f : -0f;
            }
        }
        if (nans) {
            for (int i = 0; i < n; i += 1 + rnd.nextInt(400)) {
                x[i] = switch (rnd.nextInt(4)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.POSITIVE_INFINITY;
                    case 2 -> Float.NEGATIVE_INFINITY;
                    default -> 5f;
                };
            }
        } else {
            for (int i = 0; i < n; i += 1 + rnd.nextInt(4000)) {
                x[i] = rnd.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;   // MAX/MIN/SUM special cases
            }
        }
        return x;
    }

    /** Σ|x| over the reduced axis of output element k. */
    private static double absSum(float[] x, int xOff, int r, int inner, int k) {
        int o = k / inner, i = k % inner;
        double s = 0;
        for (int j = 0; j < r; j++) {
            s += Math.abs(x[xOff + (o * r + j) * inner + i]);
        }
        return s;
    }
}
