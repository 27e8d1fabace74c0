package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertModuleGradients;
import static dev.brisk.nn.NnTesting.assertShape;
import static dev.brisk.nn.NnTesting.input;

import dev.brisk.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoolingTest {

    /** Distinct values at least 0.05 apart, so finite differences never swap a maximum. */
    static Tensor distinct(long seed, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (perm[i] - n / 2f) * 0.05f;
        }
        return Tensor.of(v, shape);
    }

    /** Pools every (n, c) plane of x: max or average (divisor per countIncludePad) over each window. */
    static double[] naive(Tensor xt, int[] k, int[] s, int[] p, int[] d, boolean max, boolean includePad) {
        int[] xs = xt.shape();
        int h = xs[xs.length - 2], w = xs[xs.length - 1];
        int planes = xt.numel() / (h * w);
        int oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
        int ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        float[] x = xt.toFloatArray();
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int inImage = 0;
                    int padded = 0;
                    for (int i = 0; i < k[0]; i++) {
                        for (int j = 0; j < k[1]; j++) {
                            int yy = r * s[0] - p[0] + i * d[0];
                            int xx = q * s[1] - p[1] + j * d[1];
                            if (yy < h + p[0] && xx < w + p[1]) {
                                padded++;
                            }
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                double v = x[(pl * h + yy) * w + xx];
                                best = Math.max(best, v);
                                sum += v;
                                inImage++;
                            }
                        }
                    }
                    y[(pl * oh + r) * ow + q] = max ? best : sum / (includePad ? padded : inImage);
                }
            }
        }
        return y;
    }

    @Test
    void maxPool() {
        Tensor x = input(1, 2, 3, 7, 6);
        Tensor y = new MaxPool2d(2).forward(x);
        assertShape(y, 2, 3, 3, 3);
        int[] one = {1, 1};
        assertClose(naive(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, one, true, true), y, "max 2x2");
        int[] k = {3, 2};
        int[] s = {2, 1};
        int[] p = {1, 1};
        int[] d = {2, 1};
        assertClose(naive(x, k, s, p, d, true, true), new MaxPool2d(k, s, p, d).forward(x), "max with options");
    }

    @Test
    void avgPoolBothDivisors() {
        Tensor x = input(2, 2, 2, 5, 6);
        int[] one = {1, 1};
        assertClose(naive(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, one, false, true),
                new AvgPool2d(2).forward(x), "avg 2x2");
        int[] k = {3, 3};
        int[] s = {2, 2};
        int[] p = {1, 1};
        assertClose(naive(x, k, s, p, one, false, true), new AvgPool2d(k, s, p, true).forward(x), "count pad");
        assertClose(naive(x, k, s, p, one, false, false), new AvgPool2d(k, s, p, false).forward(x), "exclude pad");
    }

    @Test
    void adaptiveAvgPool() {
        Tensor x = input(3, 2, 2, 7, 5);
        Tensor y = new AdaptiveAvgPool2d(3, 2).forward(x);
        assertShape(y, 2, 2, 3, 2);
        float[] xv = x.toFloatArray();
        double[] expected = new double[2 * 2 * 3 * 2];
        for (int pl = 0; pl < 4; pl++) {
            for (int r = 0; r < 3; r++) {
                for (int q = 0; q < 2; q++) {
                    int r0 = Math.floorDiv(r * 7, 3);
                    int r1 = -Math.floorDiv(-(r + 1) * 7, 3);
                    int c0 = Math.floorDiv(q * 5, 2);
                    int c1 = -Math.floorDiv(-(q + 1) * 5, 2);
                    double sum = 0;
                    for (int i = r0; i < r1; i++) {
                        for (int j = c0; j < c1; j++) {
                            sum += xv[(pl * 7 + i) * 5 + j];
                        }
                    }
                    expected[(pl * 3 + r) * 2 + q] = sum / ((r1 - r0) * (c1 - c0));
                }
            }
        }
        assertClose(expected, y, "adaptive");
        // global average pooling
        Tensor g = new AdaptiveAvgPool2d(1).forward(x);
        assertShape(g, 2, 2, 1, 1);
        assertClose(naive(x, new int[] {7, 5}, new int[] {7, 5}, new int[] {0, 0}, new int[] {1, 1}, false, true), g,
                "global");
    }

    @Test
    void gradients() {
        assertModuleGradients(new MaxPool2d(new int[] {2, 2}, new int[] {1, 2}, new int[] {1, 0}, new int[] {1, 1}),
                distinct(4, 1, 2, 4, 5));
        assertModuleGradients(new AvgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false),
                input(5, 1, 2, 5, 5));
        assertModuleGradients(new AdaptiveAvgPool2d(2, 3), input(6, 1, 2, 5, 4));
    }
}
