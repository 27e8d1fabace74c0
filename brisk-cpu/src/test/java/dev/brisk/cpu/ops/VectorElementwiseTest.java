package dev.brisk.cpu.ops;

import static dev.brisk.cpu.ops.KernelTestData.LENGTHS;
import static dev.brisk.cpu.ops.KernelTestData.failUnlessClose;
import static dev.brisk.cpu.ops.KernelTestData.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.UnaryOp;
import dev.brisk.tensor.reference.ReferenceElementwise;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every elementwise op of {@link VectorElementwise} against {@link ReferenceElementwise#apply}: lengths around
 * the vector width and past the parallel threshold, non-zero offsets, stride-0 operands on either side, in-place
 * use, special values, on 1 and 2 threads. Elements outside the output run must stay untouched.
 *
 * <p>Tolerances ({@code |diff| ≤ atol + rtol·|expected|}), from {@link #tolerance}: correctly rounded ops
 * (NEG, ABS, SQRT, RECIPROCAL, SQUARE, RELU, ADD, SUB, MUL, DIV, MAX, MIN, all comparisons) must be bit-exact;
 * SVML functions (EXP, LOG, TANH, POW) within 1.5e-7 relative (≈ 1 ulp); RSQRT, SIGMOID, SILU within 3e-7
 * (≈ 2–3 ulp); the GELUs within 1e-6 relative + 1e-7 absolute. A 1e-37 absolute slack admits subnormal results
 * flushed to zero.
 */
class VectorElementwiseTest {

    private static final float SENTINEL = 12345.5f;
    private static final int THREADS = Parallel.threads();

    private final VectorElementwise kernels = new VectorElementwise();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    /** {rtol, atol} of each unary op. */
    static double[] tolerance(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SQRT, RECIPROCAL, SQUARE, RELU -> new double[] {0, 0};
            case EXP, LOG, TANH -> new double[] {1.5e-7, 1e-37};
            case RSQRT, SIGMOID, SILU -> new double[] {3e-7, 1e-37};
            case GELU_ERF, GELU_TANH -> new double[] {1e-6, 1e-7};
        };
    }

    static double[] tolerance(BinaryOp op) {
        return op == BinaryOp.POW ? new double[] {1.5e-7, 1e-37} : new double[] {0, 0};
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void unaryMatchesReference(int threads) {
        Parallel.setThreads(threads);
        for (UnaryOp op : UnaryOp.values()) {
            double[] tol = tolerance(op);
            for (int n : LENGTHS) {
                float[] x = values(op.ordinal() * 31L + n, n + 7);
                float[] out = filled(n + 9);
                kernels.unary(op, x, 3, out, 5, n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    failUnlessClose(ReferenceElementwise.apply(op, x[3 + i]), out[5 + i], tol[0], tol[1],
                            () -> what(op, n, threads, k, x[3 + k]));
                }
                assertUntouched(out, 5, n, op + " n=" + n);

                float[] y = x.clone();                       // in place
                kernels.unary(op, y, 3, y, 3, n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    failUnlessClose(ReferenceElementwise.apply(op, x[3 + i]), y[3 + i], tol[0], tol[1],
                            () -> "in-place " + what(op, n, threads, k, x[3 + k]));
                }
            }
        }
    }

    /**
     * {rtol, atol} of each fused unary backward against g·{@link ReferenceElementwise#derivative}; atol is
     * scaled by |g|. Exact: NEG, ABS, LOG, SQUARE, RELU (the float derivative is the correctly rounded one);
     * EXP 1.5e-7 (SVML); SQRT 2.5e-7; RSQRT, RECIPROCAL 5e-7; TANH, SIGMOID 6e-7 (e/(1+e)² forms, ≤ 4 ulp) +
     * 3e-16·|g| absolute (the reference's 1 - t² and s(1 - s) cancel in double for |x| ≳ 18, where the fast
     * form is the more accurate);
     * GELU_ERF, GELU_TANH, SILU 1e-6 relative + 1e-7·|g| absolute (their derivatives cross 0). Every inexact op
     * also gets 1e-36·|g| for results in the subnormal range.
     */
    static double[] gradTolerance(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, LOG, SQUARE, RELU -> new double[] {0, 0};
            case EXP -> new double[] {1.5e-7, 1e-36};
            case SQRT -> new double[] {2.5e-7, 1e-36};
            case RSQRT, RECIPROCAL -> new double[] {5e-7, 1e-36};
            case TANH, SIGMOID -> new double[] {6e-7, 3e-16};
            case GELU_ERF, GELU_TANH, SILU -> new double[] {1e-6, 1e-7};
        };
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void unaryGradMatchesReference(int threads) {
        Parallel.setThreads(threads);
        for (UnaryOp op : UnaryOp.values()) {
            double[] tol = gradTolerance(op);
            for (int n : LENGTHS) {
                float[] x = values(op.ordinal() * 37L + n, n + 7);
                float[] g = KernelTestData.uniform(op.ordinal() * 41L + n, n + 4, -3, 3);
                float[] out = filled(n + 9);
                kernels.unaryGrad(op, x, 3, g, 4, out, 5, n);
                float[] inPlace = g.clone();
                kernels.unaryGrad(op, x, 3, inPlace, 4, inPlace, 4, n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    float gi = g[4 + i];
                    float expected = gi * ReferenceElementwise.derivative(op, x[3 + i]);
                    double atol = tol[1] * Math.abs(gi);
                    failUnlessClose(expected, out[5 + i], tol[0], atol,
                            () -> "grad " + what(op, n, threads, k, x[3 + k]) + " g=" + gi);
                    failUnlessClose(expected, inPlace[4 + i], tol[0], atol,
                            () -> "in-place grad " + what(op, n, threads, k, x[3 + k]) + " g=" + gi);
                }
                assertUntouched(out, 5, n, "grad " + op + " n=" + n);
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void binaryMatchesReference(int threads) {
        Parallel.setThreads(threads);
        int[][] strides = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
        for (BinaryOp op : BinaryOp.values()) {
            double[] tol = tolerance(op);
            for (int n : LENGTHS) {
                for (int[] s : strides) {
                    float[] a = values(op.ordinal() * 131L + n, n + 4);
                    float[] b = op == BinaryOp.POW ? exponents(n + 6) : values(op.ordinal() * 137L + n + 1, n + 6);
                    if (n > 0) {
                        a[2] = 0.75f;                       // a broadcast value that is not special
                    }
                    float[] out = filled(n + 8);
                    kernels.binary(op, a, 2, s[0], b, 5, s[1], out, 3, n);
                    for (int i = 0; i < n; i++) {
                        float av = a[2 + i * s[0]];
                        float bv = b[5 + i * s[1]];
                        int k = i;
                        failUnlessClose(ReferenceElementwise.apply(op, av, bv), out[3 + i], tol[0], tol[1],
                                () -> op + " strides " + Arrays.toString(s) + " n=" + n + " threads=" + threads
                                        + " i=" + k + " a=" + av + " b=" + bv);
                    }
                    assertUntouched(out, 3, n, op + " n=" + n);
                }
                // in place on either side: out == a, then out == b
                float[] a = values(op.ordinal() * 7L + n, n + 4);
                float[] b = op == BinaryOp.POW ? exponents(n + 4) : values(op.ordinal() * 11L + n, n + 4);
                float[] ya = a.clone();
                kernels.binary(op, ya, 2, 1, b, 2, 1, ya, 2, n);
                float[] yb = b.clone();
                kernels.binary(op, a, 2, 1, yb, 2, 1, yb, 2, n);
                for (int i = 0; i < n; i++) {
                    float e = ReferenceElementwise.apply(op, a[2 + i], b[2 + i]);
                    int k = i;
                    failUnlessClose(e, ya[2 + i], tol[0], tol[1], () -> "in-place(a) " + op + " n=" + n + " i=" + k);
                    failUnlessClose(e, yb[2 + i], tol[0], tol[1], () -> "in-place(b) " + op + " n=" + n + " i=" + k);
                }
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void compareMatchesReference(int threads) {
        Parallel.setThreads(threads);
        int[][] strides = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
        for (CompareOp op : CompareOp.values()) {
            for (int n : LENGTHS) {
                for (int[] s : strides) {
                    float[] a = ties(op.ordinal() * 17L + n, n + 4);
                    float[] b = ties(op.ordinal() * 19L + n + 1, n + 6);
                    boolean[] out = new boolean[n + 8];
                    Arrays.fill(out, true);
                    out[2] = false;
                    kernels.compare(op, a, 2, s[0], b, 5, s[1], out, 3, n);
                    for (int i = 0; i < n; i++) {
                        float av = a[2 + i * s[0]];
                        float bv = b[5 + i * s[1]];
                        if (ReferenceElementwise.apply(op, av, bv) != out[3 + i]) {
                            fail(op + " strides " + Arrays.toString(s) + " n=" + n + " threads=" + threads + " i=" + i
                                    + " a=" + av + " b=" + bv + ": got " + out[3 + i]);
                        }
                    }
                    assertEquals(false, out[2], "element before the run was written");
                    for (int i = 3 + n; i < out.length; i++) {
                        if (!out[i]) {
                            fail(op + " n=" + n + ": element " + i + " after the run was written");
                        }
                    }
                }
            }
        }
    }

    /** The special values whose results are easy to get wrong, spelled out. */
    @Test
    void specialValuesFollowTheReference() {
        float[] x = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 200f, -200f};
        float[] y = new float[x.length];
        kernels.unary(UnaryOp.RELU, x, 0, y, 0, x.length);
        assertEquals("[NaN, 0.0, Infinity, 0.0, 200.0, 0.0]", Arrays.toString(y));
        kernels.unary(UnaryOp.EXP, x, 0, y, 0, x.length);
        assertEquals("[NaN, 0.0, Infinity, 1.0, Infinity, 0.0]", Arrays.toString(y));
        kernels.unary(UnaryOp.SIGMOID, x, 0, y, 0, x.length);
        assertEquals("[NaN, 0.0, 1.0, 0.5, 1.0, 0.0]", Arrays.toString(y));
        kernels.unary(UnaryOp.TANH, x, 0, y, 0, x.length);
        assertEquals("[NaN, -1.0, 1.0, -0.0, 1.0, -1.0]", Arrays.toString(y));
        float[] b = {1f, 1f, 1f, 0f, Float.NaN, 0f};
        kernels.binary(BinaryOp.MAX, x, 0, 1, b, 0, 1, y, 0, x.length);
        assertEquals("[NaN, 1.0, Infinity, 0.0, NaN, 0.0]", Arrays.toString(y));
        kernels.binary(BinaryOp.MIN, x, 0, 1, b, 0, 1, y, 0, x.length);
        assertEquals("[NaN, -Infinity, 1.0, -0.0, NaN, -200.0]", Arrays.toString(y));
    }

    /** Exponents for POW: small integers (negative bases stay real), fractions, and special values. */
    private static float[] exponents(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] e = new float[n];
        float[] special = {Float.NaN, 0f, -0f, 1f, -1f, 0.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f};
        for (int i = 0; i < n; i++) {
            e[i] = switch (i % 3) {
                case 0 -> r.nextInt(-6, 7);
                case 1 -> (float) (r.nextDouble() * 6 - 3);
                default -> special[r.nextInt(special.length)];
            };
        }
        return e;
    }

    /** Values with many exact ties (and NaN, ±0, ±∞) so that EQ and LE are exercised. */
    private static float[] ties(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] special = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % 9 == 4 ? special[r.nextInt(special.length)] : r.nextInt(-2, 3);
        }
        return a;
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    private static void assertUntouched(float[] out, int off, int n, String what) {
        for (int i = 0; i < out.length; i++) {
            if ((i < off || i >= off + n) && out[i] != SENTINEL) {
                fail(what + ": element " + i + " outside the run was written");
            }
        }
    }

    private static String what(UnaryOp op, int n, int threads, int i, float x) {
        return op + " n=" + n + " threads=" + threads + " i=" + i + " x=" + x;
    }
}
