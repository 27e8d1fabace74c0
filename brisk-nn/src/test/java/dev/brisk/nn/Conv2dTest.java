package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertModuleGradients;
import static dev.brisk.nn.NnTesting.assertShape;
import static dev.brisk.nn.NnTesting.input;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv2dTest {

    /** Direct convolution by its definition, zero padding, grouped channels. */
    static double[] naive(Tensor xt, Tensor wt, Tensor bt, int[] s, int[] p, int[] d, int groups) {
        int[] xs = xt.shape();
        int[] ws = wt.shape();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1;
        int ow = (w + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        float[] x = xt.toFloatArray();
        float[] wv = wt.toFloatArray();
        float[] b = bt == null ? null : bt.toFloatArray();
        double[] y = new double[n * o * oh * ow];
        int og = o / groups;
        for (int in = 0; in < n; in++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        double acc = b == null ? 0 : b[oc];
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = g * cg + ci;
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int yy = r * s[0] - p[0] + i * d[0];
                                    int xx = q * s[1] - p[1] + j * d[1];
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                        acc += (double) x[((in * c + ch) * h + yy) * w + xx]
                                                * wv[((oc * cg + ci) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        y[((in * o + oc) * oh + r) * ow + q] = acc;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void plainConvolution() {
        Conv2d conv = new Conv2d(3, 4, 3, new Rng(1));
        Tensor x = input(1, 2, 3, 6, 5);
        Tensor y = conv.forward(x);
        assertShape(y, 2, 4, 4, 3);
        assertClose(naive(x, conv.weight(), conv.bias(), new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1),
                y, "conv");
    }

    @Test
    void strideVariesPaddingDilationGroupsAndNoBias() {
        var cfg = new Conv2d.Config(4, 6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 1}, 2,
                false);
        Conv2d conv = new Conv2d(cfg, new Rng(3));
        assertShape(conv.weight(), 6, 2, 3, 2);
        Tensor x = input(2, 2, 4, 7, 6);
        assertClose(naive(x, conv.weight(), null, cfg.stride(), cfg.padding(), cfg.dilation(), 2), conv.forward(x),
                "conv with options");
    }

    @Test
    void unbatchedInput() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, new Rng(1));
        Tensor x = input(4, 2, 5, 5);
        Tensor y = conv.forward(x);
        assertShape(y, 3, 5, 5);
        assertClose(naive(x.unsqueeze(0), conv.weight(), conv.bias(), new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, 1), y, "unbatched");
    }

    @Test
    void gradients() {
        assertModuleGradients(new Conv2d(2, 3, 3, 1, 1, new Rng(5)), input(6, 1, 2, 4, 4));
        var cfg = new Conv2d.Config(2, 2, new int[] {2, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2,
                true);
        assertModuleGradients(new Conv2d(cfg, new Rng(6)), input(7, 2, 2, 4, 5));
    }
}
