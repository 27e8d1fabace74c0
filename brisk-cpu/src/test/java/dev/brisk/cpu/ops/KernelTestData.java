package dev.brisk.cpu.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.Supplier;

/** Inputs and float comparisons shared by the kernel conformance tests. */
final class KernelTestData {

    /** Run lengths around the vector width (16), tails, and one past the parallel thresholds. */
    static final int[] LENGTHS = {0, 1, 15, 16, 17, 31, 33, 127, 129, 1000, 100003};

    /** Values every kernel must handle like the reference. */
    static final float[] SPECIALS = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 0.5f, -0.5f,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, -1e-30f,
        1e30f, -1e30f, 88.7f, 89f, -87.5f, -104f, 20f, -20f, 7f, -7f, 3e-39f, 1e4f, -1e4f
    };

    private KernelTestData() {
    }

    /**
     * {@code n} values: every 7th a special value, the rest a mix of uniform [-12, 12) and ±e^[-20, 5) (small
     * and moderate magnitudes, so that relative errors near 0 and near 1 are both exercised).
     */
    static float[] values(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            if (i % 7 == 3) {
                a[i] = SPECIALS[r.nextInt(SPECIALS.length)];
            } else if (r.nextBoolean()) {
                a[i] = (float) (r.nextDouble() * 24 - 12);
            } else {
                a[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.exp(r.nextDouble() * 25 - 20));
            }
        }
        return a;
    }

    /** Uniform [lo, hi). */
    static float[] uniform(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /**
     * {@code |actual - expected| ≤ atol + rtol·|expected|}; NaN only where expected is NaN; an infinite expected
     * value must be matched exactly. With {@code rtol == atol == 0} the floats must be identical (bit for bit,
     * so +0 and -0 differ).
     */
    static boolean close(float expected, float actual, double rtol, double atol) {
        if (rtol == 0 && atol == 0) {
            return Float.compare(expected, actual) == 0;
        }
        if (Float.isNaN(expected) || Float.isNaN(actual) || Float.isInfinite(expected)) {
            return Float.compare(expected, actual) == 0 || expected == actual;
        }
        return Math.abs((double) actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /** Fails with {@code what} and both values unless {@link #close}; build {@code what} only on failure. */
    static void failUnlessClose(float expected, float actual, double rtol, double atol, Supplier<String> what) {
        if (!close(expected, actual, rtol, atol)) {
            fail(what.get() + ": expected " + expected + ", got " + actual + " (|diff| "
                    + Math.abs((double) actual - expected) + ", allowed " + (atol + rtol * Math.abs(expected)) + ")");
        }
    }
}
