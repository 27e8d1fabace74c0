package dev.brisk.cpu.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.PoolKernels;
import dev.brisk.tensor.reference.ReferencePooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kernel-level conformance of {@link VectorPooling} against {@link ReferencePooling}: widths around and past the
 * vector length (interior runs with scalar borders and tails), strides 1–3 (contiguous loads and gathers),
 * padding, dilation, plane counts on both sides of the parallel threshold, non-zero offsets into larger arrays,
 * on 1 and 2 threads. Data with many exact ties and a few NaNs checks the tie-breaking (first maximum) and NaN
 * rule. Every result must be bit-identical (same operations in the same order); elements outside the output
 * runs must stay untouched.
 */
class VectorPoolingTest {

    private static final int THREADS = Parallel.threads();
    private static final float SENTINEL = 12345.5f;
    private static final int OFF = 3;

    private final PoolKernels fast = new VectorPooling();
    private final PoolKernels ref = new ReferencePooling();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    /** planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw. */
    record Shape(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {

        int oh() {
            return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        }

        int ow() {
            return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        }
    }

    static Stream<Shape> shapes() {
        List<Shape> l = new ArrayList<>();
        l.add(new Shape(64, 26, 26, 2, 2, 2, 2, 0, 0, 1, 1)); // cnn pool 1 (per 32 channels: 2 images)
        l.add(new Shape(64, 11, 11, 2, 2, 2, 2, 0, 0, 1, 1)); // cnn pool 2
        for (int w : new int[] {1, 15, 16, 17, 33, 47, 70}) {
            l.add(new Shape(3, 9, w, 3, 3, 1, 1, 1, 1, 1, 1));
            if (w >= 4) {
                l.add(new Shape(5, 7, w, 2, 2, 2, 2, 0, 0, 1, 1));
                l.add(new Shape(2, 8, w, 3, 2, 2, 3, 1, 1, 1, 1));
                l.add(new Shape(2, 6, w, 2, 3, 1, 2, 1, 1, 2, 1));
            }
        }
        l.add(new Shape(1, 40, 90, 5, 4, 3, 1, 2, 2, 1, 1));
        l.add(new Shape(200, 5, 40, 3, 3, 1, 1, 1, 1, 1, 1)); // many planes: parallel
        l.add(new Shape(2, 1, 20, 2, 2, 1, 1, 1, 1, 2, 2));   // dilated windows with no in-image row
        return l.stream();
    }

    static Stream<Object[]> cases() {
        return shapes().flatMap(s -> Stream.of(new Object[] {s, 1}, new Object[] {s, 2}));
    }

    /** Values on a coarse grid (many ties) with a few NaNs and infinities. */
    private static float[] input(Shape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[OFF + s.planes * s.h * s.w + 5];
        Arrays.fill(x, Float.NaN); // outside the planes: must never be read
        for (int i = OFF; i < OFF + s.planes * s.h * s.w; i++) {
            int k = r.nextInt(1000);
            x[i] = k == 0 ? Float.NaN : k == 1 ? Float.NEGATIVE_INFINITY : k == 2 ? Float.POSITIVE_INFINITY
                    : (float) (r.nextInt(7) - 3);
        }
        return x;
    }

    @ParameterizedTest(name = "{0} threads={1}")
    @MethodSource("cases")
    void maxPoolIsBitIdentical(Shape s, int threads) {
        Parallel.setThreads(threads);
        float[] x = input(s, s.hashCode());
        int n = s.planes * s.oh() * s.ow();
        float[] outF = filled(n), outR = filled(n);
        int[] argF = new int[n + OFF + 2], argR = new int[n + OFF + 2];
        Arrays.fill(argF, -7);
        Arrays.fill(argR, -7);
        fast.maxPool2d(x, OFF, s.planes, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, s.dh, s.dw, outF, OFF,
                s.oh(), s.ow(), argF, OFF);
        ref.maxPool2d(x, OFF, s.planes, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, s.dh, s.dw, outR, OFF,
                s.oh(), s.ow(), argR, OFF);
        assertSame(outR, outF, s + " max out");
        for (int i = 0; i < argR.length; i++) {
            assertEquals(argR[i], argF[i], s + " argmax " + i);
        }
        float[] g = input(s, 99);
        Arrays.fill(g, 0f);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = OFF; i < OFF + n; i++) {
            g[i] = (float) r.nextGaussian();
        }
        float[] dxF = filled(s.planes * s.h * s.w), dxR = filled(s.planes * s.h * s.w);
        zeroRun(dxF, s.planes * s.h * s.w);
        zeroRun(dxR, s.planes * s.h * s.w);
        fast.maxPool2dBackward(g, OFF, argF, OFF, s.planes, s.oh(), s.ow(), dxF, OFF, s.h, s.w);
        ref.maxPool2dBackward(g, OFF, argR, OFF, s.planes, s.oh(), s.ow(), dxR, OFF, s.h, s.w);
        assertSame(dxR, dxF, s + " max backward");
    }

    @ParameterizedTest(name = "{0} threads={1}")
    @MethodSource("cases")
    void avgPoolIsBitIdentical(Shape s0, int threads) {
        Parallel.setThreads(threads);
        Shape s = new Shape(s0.planes, s0.h, s0.w, s0.kh, s0.kw, s0.sh, s0.sw, s0.ph, s0.pw, 1, 1);
        if (s.oh() < 1 || s.ow() < 1) {
            return;
        }
        float[] x = input(s, s.hashCode() + 1);
        for (int i = OFF; i < OFF + s.planes * s.h * s.w; i++) {
            x[i] = Float.isFinite(x[i]) ? x[i] * 0.37f : 1.5f; // averages of finite values
        }
        int n = s.planes * s.oh() * s.ow();
        for (boolean includePad : new boolean[] {true, false}) {
            float[] outF = filled(n), outR = filled(n);
            fast.avgPool2d(x, OFF, s.planes, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, includePad, outF, OFF,
                    s.oh(), s.ow());
            ref.avgPool2d(x, OFF, s.planes, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, includePad, outR, OFF,
                    s.oh(), s.ow());
            assertSame(outR, outF, s + " avg includePad=" + includePad);
            float[] dxF = filled(s.planes * s.h * s.w), dxR = filled(s.planes * s.h * s.w);
            zeroRun(dxF, s.planes * s.h * s.w);
            zeroRun(dxR, s.planes * s.h * s.w);
            fast.avgPool2dBackward(outR, OFF, s.planes, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, includePad,
                    dxF, OFF, s.oh(), s.ow());
            ref.avgPool2dBackward(outR, OFF, s.planes, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, includePad,
                    dxR, OFF, s.oh(), s.ow());
            assertSame(dxR, dxF, s + " avg backward includePad=" + includePad);
        }
    }

    private static float[] filled(int n) {
        float[] a = new float[OFF + n + 4];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    private static void zeroRun(float[] a, int n) {
        Arrays.fill(a, OFF, OFF + n, 0f);
    }

    private static void assertSame(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                fail(what + ": element " + (i - OFF) + " expected " + want[i] + " but was " + got[i]);
            }
        }
    }
}
