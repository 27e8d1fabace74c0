package dev.brisk.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.function.Executable;

/**
 * Helpers for the tensor tests. Expected values are always computed here from plain Java arrays with explicit
 * index arithmetic, never through the tensor code under test.
 */
final class TestSupport {

    private TestSupport() {
    }

    /** Deterministic uniform values in [lo, hi), independent of {@link Rng}. */
    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row-major multi-index of flat position {@code flat} in {@code shape}. */
    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /** Flat row-major position of {@code idx} in {@code shape}. */
    static int ravel(int[] idx, int[] shape) {
        int p = 0;
        for (int d = 0; d < shape.length; d++) {
            p = p * shape[d] + idx[d];
        }
        return p;
    }

    /**
     * Flat position in a contiguous operand of {@code inShape} of the element that broadcasting maps to output
     * position {@code outIdx} (NumPy rules, written out: align right, size-1 dims read index 0).
     */
    static int broadcastFlat(int[] outIdx, int[] inShape) {
        int lead = outIdx.length - inShape.length;
        int p = 0;
        for (int d = 0; d < inShape.length; d++) {
            int i = inShape[d] == 1 ? 0 : outIdx[lead + d];
            p = p * inShape[d] + i;
        }
        return p;
    }

    /** |actual - expected| ≤ atol + rtol·|expected| for each element; NaN only where expected is NaN. */
    static void assertClose(double[] expected, float[] actual, double rtol, double atol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            float a = actual[i];
            if (Double.isNaN(e)) {
                if (!Float.isNaN(a)) {
                    fail(what + ": at " + i + " expected NaN, got " + a);
                }
                continue;
            }
            if (Double.isInfinite(e)) {
                if (a != e) {
                    fail(what + ": at " + i + " expected " + e + ", got " + a);
                }
                continue;
            }
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                fail(what + ": at " + i + " expected " + e + ", got " + a + " (|diff| " + Math.abs(a - e)
                        + " > " + (atol + rtol * Math.abs(e)) + ")");
            }
        }
    }

    static void assertClose(double[] expected, Tensor actual, double rtol, double atol, String what) {
        assertClose(expected, actual.toFloatArray(), rtol, atol, what);
    }

    /** Element-for-element equality of float bits (NaN equals NaN, +0 differs from -0). */
    static void assertSameFloats(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.compare(expected[i], actual[i]) != 0) {
                fail(what + ": at " + i + " expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    static void assertShape(Tensor t, int... shape) {
        assertArrayEquals(shape, t.shape(), () -> "shape of " + t);
    }

    /** Expects {@code type} with a message containing every fragment. */
    static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable body, String... fragments) {
        T e = assertThrows(type, body);
        String msg = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(msg.contains(f), () -> "message \"" + msg + "\" does not mention \"" + f + "\"");
        }
        return e;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** The float a 16-bit bfloat16 pattern denotes, decoded from its fields (sign, 8-bit exponent, 7-bit fraction). */
    static double decodeBf16(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 7) & 0xFF;
        int frac = h & 0x7F;
        double v;
        if (exp == 0xFF) {
            v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = frac * Math.pow(2, -133); // 2^(1-127) · frac/2^7
        } else {
            v = (1 + frac / 128.0) * Math.pow(2, exp - 127);
        }
        return sign == 1 ? -v : v;
    }

    /** The value a binary16 pattern denotes, decoded from its fields (sign, 5-bit exponent, 10-bit fraction). */
    static double decodeF16(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1F;
        int frac = h & 0x3FF;
        double v;
        if (exp == 0x1F) {
            v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = frac * Math.pow(2, -24);
        } else {
            v = (1 + frac / 1024.0) * Math.pow(2, exp - 15);
        }
        return sign == 1 ? -v : v;
    }
}
