package dev.brisk.cpu.ops;

import static dev.brisk.cpu.ops.KernelTestData.failUnlessClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.SoftmaxKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VectorSoftmax} against the double-precision reference: rows × cols over {1, 3, 17, 129} ×
 * {1, 3, 15, 16, 17, 33, 129, 1000} plus 2048 × 256 and 3 × 50000 (parallel), for inputs uniform in [-10, 10),
 * inputs of magnitude up to 1e4, and rows with -∞ entries (one row entirely -∞, which gives NaN as in the
 * reference), out of place with offsets and in place, on 1 and 2 threads.
 *
 * <p>Tolerances: softmax {@code 2e-6·|y| + 1e-9} (SVML exp ≤ 1 ulp, a float sum, a reciprocal); log-softmax
 * {@code 1e-6·|y| + 2e-6} (absolute in ln s, relative in x - max, which for |x| ~ 1e4 carries ulp(1e4) ≈ 1e-3).
 */
class VectorSoftmaxTest {

    private static final int THREADS = Parallel.threads();
    private static final SoftmaxKernels REFERENCE = new ReferenceBackend().softmax().orElseThrow();

    private final VectorSoftmax kernels = new VectorSoftmax();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void softmaxMatchesReference(int threads) {
        Parallel.setThreads(threads);
        int[][] shapes = {{2048, 256}, {3, 50000}};
        for (int rows : new int[] {1, 3, 17, 129}) {
            for (int cols : new int[] {1, 3, 15, 16, 17, 33, 129, 1000}) {
                check(rows, cols, threads);
            }
        }
        for (int[] s : shapes) {
            check(s[0], s[1], threads);
        }
    }

    private void check(int rows, int cols, int threads) {
        for (int kind = 0; kind < 3; kind++) {
            float[] x = data(kind, rows * 31L + cols, rows * cols + 4);
            for (boolean log : new boolean[] {false, true}) {
                float[] expected = new float[rows * cols];
                REFERENCE.softmax(log, x, 4, rows, cols, expected, 0);
                float[] out = new float[rows * cols + 3];
                kernels.softmax(log, x, 4, rows, cols, out, 3);
                float[] inPlace = x.clone();
                kernels.softmax(log, inPlace, 4, rows, cols, inPlace, 4);
                double rtol = log ? 1e-6 : 2e-6;
                double atol = log ? 2e-6 : 1e-9;
                for (int i = 0; i < expected.length; i++) {
                    int k = i;
                    int kindF = kind;
                    failUnlessClose(expected[i], out[3 + i], rtol, atol, () -> (log ? "log-softmax " : "softmax ")
                            + rows + "x" + cols + " data " + kindF + " threads=" + threads + " at " + k);
                    failUnlessClose(expected[i], inPlace[4 + i], rtol, atol, () -> "in-place " + (log ? "log-" : "")
                            + "softmax " + rows + "x" + cols + " data " + kindF + " at " + k);
                }
            }
        }
    }

    /**
     * {@link VectorSoftmax#softmaxBackward} against the interface's scalar default (double sums), for y the
     * (log-)softmax of random rows and g uniform in [-3, 3): |diff| ≤ 1e-6·|expected| + 2e-6·max|g| (softmax) or
     * + 2e-6·Σ|g| (log-softmax; the float row sum of g against the double one), per row; out of place with
     * offsets and in place (out == g), on 1 and 2 threads.
     */
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void softmaxBackwardMatchesReference(int threads) {
        Parallel.setThreads(threads);
        int[][] shapes = {{1, 1}, {3, 15}, {17, 16}, {17, 33}, {129, 129}, {5, 1000}, {2048, 64}, {3, 50000}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            SplittableRandom r = new SplittableRandom(rows * 7L + cols);
            float[] x = data(0, rows + cols, rows * cols);
            float[] g = new float[rows * cols + 2];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (r.nextDouble() * 6 - 3);
            }
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[rows * cols + 1];
                kernels.softmax(log, x, 0, rows, cols, y, 1);
                float[] expected = new float[rows * cols];
                REFERENCE.softmaxBackward(log, y, 1, g, 2, rows, cols, expected, 0);
                float[] out = new float[rows * cols + 3];
                kernels.softmaxBackward(log, y, 1, g, 2, rows, cols, out, 3);
                float[] inPlace = g.clone();
                kernels.softmaxBackward(log, y, 1, inPlace, 2, rows, cols, inPlace, 2);
                for (int row = 0; row < rows; row++) {
                    double max = 0;
                    double abs = 0;
                    for (int j = 0; j < cols; j++) {
                        max = Math.max(max, Math.abs(g[2 + row * cols + j]));
                        abs += Math.abs(g[2 + row * cols + j]);
                    }
                    double atol = 2e-6 * (log ? abs : max);
                    for (int j = 0; j < cols; j++) {
                        int k = row * cols + j;
                        failUnlessClose(expected[k], out[3 + k], 1e-6, atol, () -> (log ? "log-" : "")
                                + "softmax backward " + rows + "x" + cols + " threads=" + threads + " at " + k);
                        failUnlessClose(expected[k], inPlace[2 + k], 1e-6, atol, () -> "in-place " + (log ? "log-" : "")
                                + "softmax backward " + rows + "x" + cols + " threads=" + threads + " at " + k);
                    }
                }
            }
        }
    }

    @Test
    void extremeRows() {
        float[] x = {1e4f, -1e4f, 1e4f, Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY};
        float[] y = new float[6];
        kernels.softmax(false, x, 0, 2, 3, y, 0);
        assertEquals(0.5f, y[0]);
        assertEquals(0f, y[1]);
        assertEquals(0.5f, y[2]);
        assertEquals(0f, y[3]);
        assertEquals(1f, y[4]);
        kernels.softmax(true, x, 0, 2, 3, y, 0);
        assertEquals(Float.NEGATIVE_INFINITY, y[3]);
        assertEquals(0f, y[4]);
    }

    /** kind 0: uniform [-10, 10); kind 1: magnitudes up to 1e4; kind 2: [-10, 10) with -∞ entries and one all -∞ row. */
    private static float[] data(int kind, long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) switch (kind) {
                case 1 -> (r.nextDouble() * 2 - 1) * (r.nextBoolean() ? 1e4 : 30);
                default -> r.nextDouble() * 20 - 10;
            };
            if (kind == 2 && r.nextInt(5) == 0) {
                x[i] = Float.NEGATIVE_INFINITY;
            }
        }
        if (kind == 2 && n > 8) {
            x[4] = Float.NEGATIVE_INFINITY;   // with cols small, the whole first row may be -∞
        }
        return x;
    }
}
