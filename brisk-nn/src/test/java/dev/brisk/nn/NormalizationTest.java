package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertModuleGradients;
import static dev.brisk.nn.NnTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    /** Normalises consecutive groups of n values: (v − mean)/√(var + eps) (biased var), or v/√(mean(v²) + eps). */
    static double[] naive(float[] x, int n, double eps, boolean rms, float[] gamma, float[] beta) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double mean = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                mean += x[r * n + i];
                sq += (double) x[r * n + i] * x[r * n + i];
            }
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
            }
            var /= n;
            for (int i = 0; i < n; i++) {
                double v = rms ? x[r * n + i] / Math.sqrt(sq / n + eps) : (x[r * n + i] - mean) / Math.sqrt(var + eps);
                y[r * n + i] = v * (gamma == null ? 1 : gamma[i]) + (beta == null ? 0 : beta[i]);
            }
        }
        return y;
    }

    static void perturb(Module m, long seed) {
        try (var _ = GradMode.noGrad()) {
            for (Tensor p : m.parameters()) {
                p.copyFrom(input(seed++, p.shape()).mul(0.5f).add(1f));
            }
        }
    }

    @Test
    void layerNormOverLastDims() {
        LayerNorm ln = new LayerNorm(new int[] {3, 4}, 1e-5f, true);
        perturb(ln, 10);
        Tensor x = input(1, 2, 3, 4);
        assertClose(naive(x.toFloatArray(), 12, 1e-5, false, ln.weight().toFloatArray(), ln.bias().toFloatArray()),
                ln.forward(x), "layer norm");
        LayerNorm plain = new LayerNorm(new int[] {4}, 1e-3f, false);
        assertEquals(0, plain.numParameters());
        assertClose(naive(x.toFloatArray(), 4, 1e-3, false, null, null), plain.forward(x), "no affine");
    }

    @Test
    void rmsNorm() {
        RMSNorm norm = new RMSNorm(5, 1e-6f);
        perturb(norm, 3);
        Tensor x = input(2, 3, 5);
        assertClose(naive(x.toFloatArray(), 5, 1e-6, true, norm.weight().toFloatArray(), null), norm.forward(x),
                "rms norm");
    }

    @Test
    void normGradients() {
        LayerNorm ln = new LayerNorm(4);
        perturb(ln, 1);
        assertModuleGradients(ln, input(2, 3, 4));
        RMSNorm rms = new RMSNorm(4, 1e-5f);
        perturb(rms, 4);
        assertModuleGradients(rms, input(5, 2, 4));
        BatchNorm2d bn = new BatchNorm2d(2);
        perturb(bn, 6);
        assertModuleGradients(bn, input(7, 3, 2, 2, 2));
        BatchNorm1d bn1 = new BatchNorm1d(3);
        perturb(bn1, 8);
        assertModuleGradients(bn1, input(9, 4, 3));
    }

    /** Per-channel mean and biased variance of (N, C, L) data as double[2][C]. */
    static double[][] channelStats(float[] x, int n, int c, int l) {
        double[][] st = new double[2][c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < l; j++) {
                    sum += x[(i * c + ch) * l + j];
                }
            }
            double mean = sum / (n * l);
            double var = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < l; j++) {
                    double d = x[(i * c + ch) * l + j] - mean;
                    var += d * d;
                }
            }
            st[0][ch] = mean;
            st[1][ch] = var / (n * l);
        }
        return st;
    }

    @Test
    void batchNormTrainingUsesBatchStatsAndUpdatesRunningStats() {
        BatchNorm2d bn = new BatchNorm2d(new BatchNormConfig(3, 1e-5f, 0.2f, true, true));
        perturb(bn, 2);
        Tensor x = input(11, 4, 3, 2, 2).mul(3f).add(1f);
        Tensor y = bn.forward(x);
        float[] xv = x.toFloatArray();
        double[][] st = channelStats(xv, 4, 3, 4);
        float[] g = bn.weight().toFloatArray();
        float[] b = bn.bias().toFloatArray();
        double[] expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            int ch = (i / 4) % 3;
            expected[i] = (xv[i] - st[0][ch]) / Math.sqrt(st[1][ch] + 1e-5) * g[ch] + b[ch];
        }
        assertClose(expected, y, "batch norm train");
        double[] mean = new double[3];
        double[] var = new double[3];
        for (int ch = 0; ch < 3; ch++) {
            mean[ch] = 0.8 * 0 + 0.2 * st[0][ch];
            var[ch] = 0.8 * 1 + 0.2 * st[1][ch] * 16 / 15; // unbiased batch variance, M = 16
        }
        assertClose(mean, bn.runningMean(), "running mean");
        assertClose(var, bn.runningVar(), "running var");
        assertEquals(1, bn.numBatchesTracked().getLong());
        bn.forward(x);
        assertEquals(2, bn.numBatchesTracked().getLong());
    }

    @Test
    void batchNormEvalUsesRunningStatsAndLeavesThemAlone() {
        BatchNorm1d bn = new BatchNorm1d(2);
        bn.forward(input(1, 8, 2).mul(2f).add(0.5f));
        bn.forward(input(2, 8, 2).mul(2f).sub(0.5f));
        bn.eval();
        float[] rm = bn.runningMean().toFloatArray();
        float[] rv = bn.runningVar().toFloatArray();
        Tensor x = input(3, 5, 2);
        Tensor y = bn.forward(x);
        float[] xv = x.toFloatArray();
        double[] expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            expected[i] = (xv[i] - rm[i % 2]) / Math.sqrt(rv[i % 2] + 1e-5);
        }
        assertClose(expected, y, "eval");
        assertClose(NnTesting.toDouble(rm), bn.runningMean(), "running mean unchanged");
        assertEquals(2, bn.numBatchesTracked().getLong());
        // one sample per channel is fine in eval, but not in training
        bn.forward(input(4, 1, 2));
        NnTesting.assertThrowsWith(IllegalArgumentException.class, () -> bn.train().forward(input(4, 1, 2)),
                "BatchNorm1d", "more than 1 value per channel", "[1,2]");
    }

    @Test
    void batchNormWithoutRunningStatsUsesBatchStatsInEval() {
        BatchNorm1d bn = new BatchNorm1d(new BatchNormConfig(2, 1e-5f, 0.1f, false, false));
        assertNull(bn.runningMean());
        assertEquals(0, bn.numParameters());
        assertFalse(bn.stateDict().containsKey("running_mean"));
        bn.eval();
        Tensor x = input(5, 6, 2, 3);
        double[][] st = channelStats(x.toFloatArray(), 6, 2, 3);
        float[] xv = x.toFloatArray();
        double[] expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            int ch = (i / 3) % 2;
            expected[i] = (xv[i] - st[0][ch]) / Math.sqrt(st[1][ch] + 1e-5);
        }
        assertClose(expected, bn.forward(x), "batch stats in eval");
    }
}
