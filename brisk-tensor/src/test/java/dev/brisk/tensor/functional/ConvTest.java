package dev.brisk.tensor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.GradCheck;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Conv#conv2d} against a naive 7-loop convolution written here (forward and its three adjoints, in double)
 * over strides, paddings, dilations, groups (incl. depthwise), optional bias, non-square kernels and inputs, 1×1
 * convolutions, N = 1 and N = 3; finite-difference gradient checks for x, W and b; argument errors.
 */
class ConvTest {

    /** One configuration: x (n, c, h, w), W (o, c/groups, kh, kw). */
    record Case(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                int groups, boolean bias) {

        int oh() {
            return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        }

        int ow() {
            return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "x(%d,%d,%d,%d) W(%d,%d,%d,%d) s%d,%d p%d,%d d%d,%d g%d%s", n, c, h, w,
                    o, c / groups, kh, kw, sh, sw, ph, pw, dh, dw, groups, bias ? " +b" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> l = new ArrayList<>();
        for (int n : new int[] {1, 3}) {
            for (int s : new int[] {1, 2}) {
                for (int p : new int[] {0, 1, 2}) {
                    for (int d : new int[] {1, 2}) {
                        l.add(new Case(n, 4, 9, 7, 6, 3, 3, s, s, p, p, d, d, 1, (s + p + d) % 2 == 0));
                        l.add(new Case(n, 4, 8, 11, 6, 3, 2, s, s, p, p / 2, d, d, 2, (s + p) % 2 == 1));
                        l.add(new Case(n, 4, 7, 6, 8, 3, 3, s, s, p, p, d, d, 4, true)); // depthwise, multiplier 2
                    }
                }
            }
            l.add(new Case(n, 3, 5, 6, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1, true));   // pointwise: GEMM on x itself
            l.add(new Case(n, 4, 5, 6, 6, 1, 1, 1, 1, 0, 0, 1, 1, 2, false));  // grouped pointwise
            l.add(new Case(n, 3, 6, 7, 4, 1, 1, 2, 1, 1, 0, 1, 1, 1, true));   // 1x1 with stride and padding
            l.add(new Case(n, 2, 10, 5, 3, 5, 1, 2, 1, 2, 0, 1, 1, 1, true));  // 5x1 kernel, mixed strides
            l.add(new Case(n, 1, 28, 28, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1, true)); // cnn first layer: Kg 9 < Og 16
            l.add(new Case(n, 3, 4, 4, 2, 4, 4, 1, 1, 0, 0, 1, 1, 1, true));   // kernel = input: 1x1 output
            l.add(new Case(n, 2, 3, 5, 3, 2, 3, 3, 2, 1, 2, 2, 1, 1, false));  // stride > kernel, odd everything
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesNaiveLoops(Case k) {
        Rng rng = new Rng(k.hashCode());
        Tensor x = Tensor.randn(rng, k.n, k.c, k.h, k.w).requiresGrad(true);
        Tensor wt = Tensor.randn(rng, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
        Tensor b = k.bias ? Tensor.randn(rng, k.o).requiresGrad(true) : null;
        Tensor y = Conv.conv2d(x, wt, b, new int[] {k.sh, k.sw}, new int[] {k.ph, k.pw}, new int[] {k.dh, k.dw},
                k.groups);
        assertArrayEquals(new int[] {k.n, k.o, k.oh(), k.ow()}, y.shape(), "output shape of " + k);

        Naive ref = Naive.run(k, x.toFloatArray(), wt.toFloatArray(), b == null ? null : b.toFloatArray(),
                Tensor.randn(rng, y.shape()).toFloatArray());
        assertClose(ref.y, y.toFloatArray(), "forward " + k);

        y.backward(Tensor.of(ref.g, y.shape()));
        assertClose(ref.dx, x.grad().toFloatArray(), "dx " + k);
        int[] st = {k.sh, k.sw}, pd = {k.ph, k.pw}, dl = {k.dh, k.dw};
        assertClose(ref.dx, Conv.conv2dInputGrad(x.shape(), wt, Tensor.of(ref.g, y.shape()), st, pd, dl, k.groups)
                .toFloatArray(), "conv2dInputGrad " + k);
        assertClose(ref.dw, Conv.conv2dWeightGrad(x, wt.shape(), Tensor.of(ref.g, y.shape()), st, pd, dl, k.groups)
                .toFloatArray(), "conv2dWeightGrad " + k);
        assertClose(ref.dw, wt.grad().toFloatArray(), "dW " + k);
        if (b != null) {
            assertClose(ref.db, b.grad().toFloatArray(), "db " + k);
        }
    }

    static Stream<Case> gradCases() {
        return Stream.of(
                new Case(2, 2, 5, 4, 3, 3, 2, 1, 1, 1, 0, 1, 1, 1, true),
                new Case(1, 4, 6, 5, 4, 3, 3, 2, 1, 1, 1, 1, 2, 2, true),
                new Case(2, 3, 5, 5, 3, 2, 2, 1, 2, 0, 1, 2, 1, 3, false),
                new Case(1, 2, 3, 3, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradCases")
    void gradCheck(Case k) {
        Rng rng = new Rng(7 + k.hashCode());
        Tensor x = Tensor.randn(rng, k.n, k.c, k.h, k.w).requiresGrad(true);
        Tensor wt = Tensor.randn(rng, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
        Tensor b = Tensor.randn(rng, k.o).requiresGrad(true);
        int[] s = {k.sh, k.sw}, p = {k.ph, k.pw}, d = {k.dh, k.dw};
        GradCheck.Result r = k.bias
                ? GradCheck.check(in -> Conv.conv2d(in[0], in[1], in[2], s, p, d, k.groups), new Tensor[] {x, wt, b},
                        1e-2, 2e-3, 2e-2)
                : GradCheck.check(in -> Conv.conv2d(in[0], in[1], null, s, p, d, k.groups), new Tensor[] {x, wt},
                        1e-2, 2e-3, 2e-2);
        assertTrue(r.passed(), k + ": " + r.message());
    }

    @Test
    void nonContiguousInputsAndFrozenOperands() {
        Rng rng = new Rng(3);
        Case k = new Case(2, 3, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, true);
        // x stored as (N, C, W, H) and viewed back: the op must read it through its strides
        Tensor stored = Tensor.randn(rng, k.n, k.c, k.w, k.h);
        Tensor x = stored.transpose(2, 3);
        Tensor wt = Tensor.randn(rng, k.o, k.c, k.kh, k.kw);
        Tensor b = Tensor.randn(rng, k.o).requiresGrad(true);
        Tensor y = Conv.conv2d(x, wt, b, new int[] {1}, new int[] {1}, new int[] {1}, 1);
        Naive ref = Naive.run(k, x.contiguous().toFloatArray(), wt.toFloatArray(), b.toFloatArray(),
                Tensor.randn(rng, y.shape()).toFloatArray());
        assertClose(ref.y, y.toFloatArray(), "forward of a transposed view");
        y.backward(Tensor.of(ref.g, y.shape()));
        assertClose(ref.db, b.grad().toFloatArray(), "db with x and W frozen");
        assertFalse(x.requiresGrad());
        // no input needs grad: nothing recorded
        assertTrue(Conv.conv2d(x, wt, null, new int[] {1}, new int[] {1}, new int[] {1}, 1).isLeaf());
    }

    @Test
    void rejectsBadArguments() {
        Tensor x = Tensor.zeros(2, 4, 5, 5);
        Tensor w = Tensor.zeros(6, 2, 3, 3);
        int[] one = {1}, zero = {0};
        assertMessage("input must be 4-D", () -> Conv.conv2d(Tensor.zeros(4, 5, 5), w, null, one, zero, one, 2));
        assertMessage("weight dim 1 must be C/groups = 4/1 = 4",
                () -> Conv.conv2d(x, w, null, one, zero, one, 1));
        assertMessage("groups=3 must divide", () -> Conv.conv2d(x, w, null, one, zero, one, 3));
        assertMessage("bias must be 1-D of size O = 6",
                () -> Conv.conv2d(x, w, Tensor.zeros(5), one, zero, one, 2));
        assertMessage("stride must be at least 1", () -> Conv.conv2d(x, w, null, zero, zero, one, 2));
        assertMessage("padding must be at least 0", () -> Conv.conv2d(x, w, null, one, new int[] {-1}, one, 2));
        assertMessage("smaller than the dilated kernel 5x5",
                () -> Conv.conv2d(Tensor.zeros(1, 4, 4, 4), w, null, one, zero, new int[] {2}, 2));
        assertMessage("1 or 2 values", () -> Conv.conv2d(x, w, null, new int[] {1, 1, 1}, zero, one, 2));
        assertMessage("output gradient must have the output's shape [2, 6, 3, 3]",
                () -> Conv.conv2dInputGrad(x.shape(), w, Tensor.zeros(2, 6, 3, 4), one, zero, one, 2));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("conv2d"),
                "expected '" + expected + "' in: " + e.getMessage());
    }

    private static void assertClose(double[] expected, float[] got, String what) {
        if (expected.length != got.length) {
            fail(what + ": length " + got.length + ", expected " + expected.length);
        }
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - expected[i]) <= 2e-4 + 2e-4 * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + got[i]);
            }
        }
    }

    /** The definition, loop by loop, in double: forward y and, for an upstream gradient g, dx, dW and db. */
    record Naive(double[] y, float[] g, double[] dx, double[] dw, double[] db) {

        static Naive run(Case k, float[] x, float[] w, float[] b, float[] g) {
            int oh = k.oh(), ow = k.ow(), cg = k.c / k.groups, og = k.o / k.groups;
            double[] y = new double[k.n * k.o * oh * ow];
            double[] dx = new double[x.length];
            double[] dw = new double[w.length];
            double[] db = new double[k.o];
            for (int n = 0; n < k.n; n++) {
                for (int o = 0; o < k.o; o++) {
                    int grp = o / og;
                    for (int r = 0; r < oh; r++) {
                        for (int q = 0; q < ow; q++) {
                            int yi = ((n * k.o + o) * oh + r) * ow + q;
                            double acc = b == null ? 0 : b[o];
                            db[o] += g[yi];
                            for (int ci = 0; ci < cg; ci++) {
                                int c = grp * cg + ci;
                                for (int i = 0; i < k.kh; i++) {
                                    for (int j = 0; j < k.kw; j++) {
                                        int ih = r * k.sh - k.ph + i * k.dh;
                                        int iw = q * k.sw - k.pw + j * k.dw;
                                        if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w) {
                                            continue;
                                        }
                                        int xi = ((n * k.c + c) * k.h + ih) * k.w + iw;
                                        int wi = ((o * cg + ci) * k.kh + i) * k.kw + j;
                                        acc += (double) x[xi] * w[wi];
                                        dx[xi] += (double) g[yi] * w[wi];
                                        dw[wi] += (double) g[yi] * x[xi];
                                    }
                                }
                            }
                            y[yi] = acc;
                        }
                    }
                }
            }
            return new Naive(y, g, dx, dw, db);
        }
    }
}
