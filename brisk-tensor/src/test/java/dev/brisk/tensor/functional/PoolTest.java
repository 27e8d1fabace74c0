package dev.brisk.tensor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradCheck;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Pool} against naive loops written here (windows enumerated from the definition, padding and divisors as
 * PyTorch documents them), gradients against finite differences on inputs without ties, argument errors.
 */
class PoolTest {

    /** x (n, c, h, w); kernel, stride, padding, dilation. */
    record Case(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {

        int oh(int dil) {
            return (h + 2 * ph - dil * (kh - 1) - 1) / sh + 1;
        }

        int ow(int dil) {
            return (w + 2 * pw - dil * (kw - 1) - 1) / sw + 1;
        }
    }

    static Stream<Case> cases() {
        List<Case> l = new ArrayList<>();
        l.add(new Case(2, 3, 26, 26, 2, 2, 2, 2, 0, 0, 1, 1)); // the cnn workload's pools
        l.add(new Case(2, 3, 11, 11, 2, 2, 2, 2, 0, 0, 1, 1)); // odd size: last row and column dropped
        l.add(new Case(1, 2, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1));
        l.add(new Case(3, 1, 8, 6, 3, 2, 2, 1, 1, 1, 1, 1));
        l.add(new Case(1, 2, 10, 9, 3, 3, 2, 3, 1, 0, 2, 1));
        l.add(new Case(2, 2, 9, 8, 2, 3, 1, 2, 0, 1, 2, 2));
        l.add(new Case(1, 1, 5, 5, 5, 5, 1, 1, 2, 2, 1, 1));
        l.add(new Case(1, 3, 37, 19, 4, 4, 3, 3, 2, 2, 1, 1));
        return l.stream();
    }

    /** Distinct values (a shuffled grid) so that finite differences never cross a max tie. */
    private static Tensor distinct(Rng rng, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] perm = rng.permutation(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.05f * (perm[i] - n / 2);
        }
        return Tensor.of(v, shape).requiresGrad(true);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void maxPoolMatchesLoops(Case k) {
        Rng rng = new Rng(k.hashCode());
        Tensor x = distinct(rng, k.n, k.c, k.h, k.w);
        Tensor y = Pool.maxPool2d(x, new int[] {k.kh, k.kw}, new int[] {k.sh, k.sw}, new int[] {k.ph, k.pw},
                new int[] {k.dh, k.dw});
        int oh = k.oh(k.dh), ow = (k.w + 2 * k.pw - k.dw * (k.kw - 1) - 1) / k.sw + 1;
        assertArrayEquals(new int[] {k.n, k.c, oh, ow}, y.shape());
        float[] xv = x.toFloatArray();
        float[] g = Tensor.randn(rng, y.shape()).toFloatArray();
        double[] want = new double[y.numel()];
        double[] dx = new double[x.numel()];
        for (int p = 0; p < k.n * k.c; p++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int i = 0; i < k.kh; i++) {
                        for (int j = 0; j < k.kw; j++) {
                            int ih = r * k.sh - k.ph + i * k.dh, iw = q * k.sw - k.pw + j * k.dw;
                            if (ih >= 0 && ih < k.h && iw >= 0 && iw < k.w && xv[(p * k.h + ih) * k.w + iw] > best) {
                                best = xv[(p * k.h + ih) * k.w + iw];
                                at = (p * k.h + ih) * k.w + iw;
                            }
                        }
                    }
                    int o = (p * oh + r) * ow + q;
                    want[o] = best;
                    dx[at] += g[o];
                }
            }
        }
        assertClose(want, y.toFloatArray(), 0, "max forward " + k);
        y.backward(Tensor.of(g, y.shape()));
        assertClose(dx, x.grad().toFloatArray(), 1e-6, "max backward " + k);
        GradCheck.Result r = GradCheck.check(in -> Pool.maxPool2d(in[0], new int[] {k.kh, k.kw},
                new int[] {k.sh, k.sw}, new int[] {k.ph, k.pw}, new int[] {k.dh, k.dw}), new Tensor[] {x},
                1e-2, 2e-3, 2e-2);
        assertTrue(r.passed(), r.message());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void avgPoolMatchesLoops(Case k) {
        for (boolean includePad : new boolean[] {true, false}) {
            Rng rng = new Rng(k.hashCode());
            Tensor x = Tensor.randn(rng, k.n, k.c, k.h, k.w).requiresGrad(true);
            Tensor y = Pool.avgPool2d(x, new int[] {k.kh, k.kw}, new int[] {k.sh, k.sw}, new int[] {k.ph, k.pw},
                    includePad);
            int oh = k.oh(1), ow = k.ow(1);
            assertArrayEquals(new int[] {k.n, k.c, oh, ow}, y.shape());
            float[] xv = x.toFloatArray();
            float[] g = Tensor.randn(rng, y.shape()).toFloatArray();
            double[] want = new double[y.numel()];
            double[] dx = new double[x.numel()];
            for (int p = 0; p < k.n * k.c; p++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        double sum = 0;
                        int inImage = 0, inPadded = 0;
                        for (int i = 0; i < k.kh; i++) {
                            for (int j = 0; j < k.kw; j++) {
                                int ih = r * k.sh - k.ph + i, iw = q * k.sw - k.pw + j;
                                if (ih < k.h + k.ph && iw < k.w + k.pw) {
                                    inPadded++; // PyTorch clips the window to the padded image first
                                }
                                if (ih >= 0 && ih < k.h && iw >= 0 && iw < k.w) {
                                    sum += xv[(p * k.h + ih) * k.w + iw];
                                    inImage++;
                                }
                            }
                        }
                        int count = includePad ? inPadded : inImage;
                        int o = (p * oh + r) * ow + q;
                        want[o] = sum / count;
                        for (int i = 0; i < k.kh; i++) {
                            for (int j = 0; j < k.kw; j++) {
                                int ih = r * k.sh - k.ph + i, iw = q * k.sw - k.pw + j;
                                if (ih >= 0 && ih < k.h && iw >= 0 && iw < k.w) {
                                    dx[(p * k.h + ih) * k.w + iw] += g[o] / (double) count;
                                }
                            }
                        }
                    }
                }
            }
            String what = "avg countIncludePad=" + includePad + " " + k;
            assertClose(want, y.toFloatArray(), 1e-5, what);
            y.backward(Tensor.of(g, y.shape()));
            assertClose(dx, x.grad().toFloatArray(), 1e-5, what + " backward");
            x.zeroGrad();
            GradCheck.Result r = GradCheck.check(in -> Pool.avgPool2d(in[0], new int[] {k.kh, k.kw},
                    new int[] {k.sh, k.sw}, new int[] {k.ph, k.pw}, includePad), new Tensor[] {x}, 1e-2, 2e-3, 2e-2);
            assertTrue(r.passed(), what + ": " + r.message());
        }
    }

    @Test
    void adaptiveAvgPool() {
        int[][] shapes = {{2, 3, 8, 6, 4, 3}, {1, 2, 7, 5, 3, 2}, {2, 1, 5, 9, 5, 4}, {1, 2, 6, 6, 1, 1},
            {1, 1, 3, 4, 5, 6}};
        for (int[] s : shapes) {
            Rng rng = new Rng(s[2] * 31 + s[3]);
            Tensor x = Tensor.randn(rng, s[0], s[1], s[2], s[3]).requiresGrad(true);
            Tensor y = Pool.adaptiveAvgPool2d(x, s[4], s[5]);
            assertArrayEquals(new int[] {s[0], s[1], s[4], s[5]}, y.shape());
            float[] xv = x.toFloatArray();
            double[] want = new double[y.numel()];
            for (int p = 0; p < s[0] * s[1]; p++) {
                for (int r = 0; r < s[4]; r++) {
                    int hs = Math.floorDiv(r * s[2], s[4]), he = -Math.floorDiv(-(r + 1) * s[2], s[4]);
                    for (int q = 0; q < s[5]; q++) {
                        int ws = Math.floorDiv(q * s[3], s[5]), we = -Math.floorDiv(-(q + 1) * s[3], s[5]);
                        double sum = 0;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                sum += xv[(p * s[2] + ih) * s[3] + iw];
                            }
                        }
                        want[(p * s[4] + r) * s[5] + q] = sum / ((he - hs) * (we - ws));
                    }
                }
            }
            assertClose(want, y.toFloatArray(), 1e-5, "adaptive " + java.util.Arrays.toString(s));
            GradCheck.Result r = GradCheck.check(in -> Pool.adaptiveAvgPool2d(in[0], s[4], s[5]), new Tensor[] {x},
                    1e-2, 2e-3, 2e-2);
            assertTrue(r.passed(), java.util.Arrays.toString(s) + ": " + r.message());
        }
    }

    @Test
    void threeDimInputAndNaN() {
        Tensor x = Tensor.of(new float[] {1, 2, Float.NaN, 0, 5, 6, 7, 8}, 2, 2, 2);
        Tensor y = Pool.maxPool2d(x, 2);
        assertArrayEquals(new int[] {2, 1, 1}, y.shape());
        assertTrue(Float.isNaN(y.getFloat(0, 0, 0)), "NaN propagates as the max");
        assertEquals(8f, y.getFloat(1, 0, 0));
        // ties: the first maximum in row-major window order takes the whole gradient
        Tensor flat = Tensor.ones(1, 1, 4, 4).requiresGrad(true);
        Pool.maxPool2d(flat, 2).sum().backward();
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0},
                flat.grad().toFloatArray());
    }

    @Test
    void rejectsBadArguments() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        assertMessage("maxPool2d: input must be (N, C, H, W) or (C, H, W)", () -> Pool.maxPool2d(Tensor.zeros(4, 4), 2));
        assertMessage("padding [2, 2] must be at most half the kernel [3, 3]",
                () -> Pool.maxPool2d(x, new int[] {3}, null, new int[] {2}, new int[] {1}));
        assertMessage("is smaller than the kernel", () -> Pool.maxPool2d(x, 5));
        assertMessage("avgPool2d: stride must be at least 1",
                () -> Pool.avgPool2d(x, new int[] {2}, new int[] {0}, new int[] {0}, true));
        assertMessage("output size must be at least 1x1", () -> Pool.adaptiveAvgPool2d(x, 0, 2));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    private static void assertClose(double[] expected, float[] got, double tol, String what) {
        assertEquals(expected.length, got.length, what + ": length");
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + got[i]);
            }
        }
    }
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void bf16PoolingEqualsF32PoolingOfTheSameValuesWithTheSameGradients(int threads) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Rng rng = new Rng(9);
            // 64 planes of 28×28: several plane blocks; 3 planes of 200×200: one plane per block
            int[][] shapes = {{4, 16, 28, 28}, {3, 200, 200}};
            for (int[] shape : shapes) {
                Tensor x16 = Tensor.randn(rng, shape).to(DType.BF16).detach().requiresGrad(true);
                Tensor x32 = x16.to(DType.F32).detach().requiresGrad(true);
                Tensor[] got = {Pool.maxPool2d(x16, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}),
                    Pool.avgPool2d(x16, new int[] {2}, null, new int[] {0}, true)};
                Tensor[] want = {Pool.maxPool2d(x32, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}),
                    Pool.avgPool2d(x32, new int[] {2}, null, new int[] {0}, true)};
                for (int i = 0; i < 2; i++) {
                    assertEquals(DType.BF16, got[i].dtype());
                    assertArrayEquals(
                            want[i].to(DType.BF16).toFloatArray(), got[i].toFloatArray(),
                            "pool " + i + " " + java.util.Arrays.toString(shape));
                    Tensor g = Tensor.randn(rng, want[i].shape());
                    got[i].mul(g).sum().backward();
                    want[i].mul(g).sum().backward();
                }
                assertArrayEquals(x32.grad().toFloatArray(),
                        x16.grad().toFloatArray(), 1e-6f, "gradients " + java.util.Arrays.toString(shape));
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
