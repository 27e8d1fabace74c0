package dev.brisk.tensor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.GradCheck;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Layer, RMS and batch norm: forward values against naive double loops written here, batch-norm train/eval
 * semantics with hand-computed running stats, and finite-difference gradchecks of every input.
 */
class NormTest {

    private static final double EPS = 1e-2;
    private static final double ATOL = 2e-3;
    private static final double RTOL = 2e-2;

    private static Tensor leaf(Rng rng, int... shape) {
        return Tensor.randn(rng, shape).requiresGrad(true);
    }

    private static void assertGrad(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, inputs, EPS, ATOL, RTOL);
        assertTrue(r.passed(), what + ": " + r.message());
    }

    private static void assertClose(double[] expected, Tensor actual, double tol) {
        float[] a = actual.toFloatArray();
        assertEquals(expected.length, a.length, "element count");
        for (int i = 0; i < a.length; i++) {
            double allowed = tol * (1 + Math.abs(expected[i]));
            assertTrue(Math.abs(a[i] - expected[i]) <= allowed,
                    "element " + i + ": expected " + expected[i] + ", got " + a[i]);
        }
    }

    // ---- naive oracles (double) ---------------------------------------------------------------------------------

    /** Layer norm of a row-major (rows, n) block. */
    private static double[] naiveLayerNorm(float[] x, int n, float[] gamma, float[] beta, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double mu = 0;
            for (int j = 0; j < n; j++) {
                mu += x[r * n + j];
            }
            mu /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                var += (x[r * n + j] - mu) * (x[r * n + j] - mu);
            }
            var /= n;
            for (int j = 0; j < n; j++) {
                double v = (x[r * n + j] - mu) / Math.sqrt(var + eps);
                y[r * n + j] = v * (gamma == null ? 1 : gamma[j]) + (beta == null ? 0 : beta[j]);
            }
        }
        return y;
    }

    private static double[] naiveRmsNorm(float[] x, int n, float[] gamma, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double ms = 0;
            for (int j = 0; j < n; j++) {
                ms += (double) x[r * n + j] * x[r * n + j];
            }
            ms /= n;
            for (int j = 0; j < n; j++) {
                y[r * n + j] = x[r * n + j] / Math.sqrt(ms + eps) * (gamma == null ? 1 : gamma[j]);
            }
        }
        return y;
    }

    /** Batch norm of a row-major (outer, c, inner) block with the given per-channel mean and variance. */
    private static double[] naiveAffine(float[] x, int c, int inner, double[] mean, double[] var, float[] gamma,
                                        float[] beta, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / inner) % c;
            y[i] = (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * (gamma == null ? 1 : gamma[ch])
                    + (beta == null ? 0 : beta[ch]);
        }
        return y;
    }

    // ---- layer norm ---------------------------------------------------------------------------------------------

    @Test
    void layerNormMatchesNaiveOverOneAndTwoDims() {
        Rng rng = new Rng(1);
        Tensor x = Tensor.randn(rng, 3, 5, 7).mul(3f).add(2f);
        float[] xs = x.toFloatArray();
        Tensor g1 = Tensor.randn(rng, 7);
        Tensor b1 = Tensor.randn(rng, 7);
        assertClose(naiveLayerNorm(xs, 7, g1.toFloatArray(), b1.toFloatArray(), 1e-5),
                Norm.layerNorm(x, 1, g1, b1, 1e-5f), 1e-5);
        assertClose(naiveLayerNorm(xs, 7, null, null, 1e-5), Norm.layerNorm(x, 1, null, null, 1e-5f), 1e-5);
        assertClose(naiveLayerNorm(xs, 7, g1.toFloatArray(), null, 1e-5), Norm.layerNorm(x, 1, g1, null, 1e-5f), 1e-5);
        Tensor g2 = Tensor.randn(rng, 5, 7);
        Tensor b2 = Tensor.randn(rng, 5, 7);
        assertClose(naiveLayerNorm(xs, 35, g2.toFloatArray(), b2.toFloatArray(), 1e-3),
                Norm.layerNorm(x, 2, g2, b2, 1e-3f), 1e-5);
        // a transposed (non-contiguous) input is normalised over its logical last dim
        Tensor xt = x.transpose(1, 2);  // (3, 7, 5)
        Tensor g5 = Tensor.randn(rng, 5);
        assertClose(naiveLayerNorm(xt.contiguous().toFloatArray(), 5, g5.toFloatArray(), null, 1e-5),
                Norm.layerNorm(xt, 1, g5, null, 1e-5f), 1e-5);
    }

    @Test
    void layerNormOfAConstantRowIsBetaAndLargeOffsetsStayAccurate() {
        Tensor x = Tensor.full(3f, 2, 4);
        Tensor beta = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4},
                Norm.layerNorm(x, 1, Tensor.ones(4), beta, 1e-5f).toFloatArray(), 1e-6f);
        // mean 1e4, std ~1: a one-pass E[x²] − E[x]² in float would lose every digit here
        Tensor big = Tensor.randn(new Rng(2), 4, 64).add(1e4f);
        assertClose(naiveLayerNorm(big.toFloatArray(), 64, null, null, 1e-5), Norm.layerNorm(big, 1, null, null, 1e-5f),
                2e-3);
    }

    @Test
    void layerNormGradients() {
        Rng rng = new Rng(3);
        assertGrad("layerNorm last dim", in -> Norm.layerNorm(in[0], 1, in[1], in[2], 1e-5f),
                leaf(rng, 4, 6), leaf(rng, 6), leaf(rng, 6));
        assertGrad("layerNorm last two dims", in -> Norm.layerNorm(in[0], 2, in[1], in[2], 1e-5f),
                leaf(rng, 3, 2, 5), leaf(rng, 2, 5), leaf(rng, 2, 5));
        assertGrad("layerNorm without affine", in -> Norm.layerNorm(in[0], 1, null, null, 1e-5f), leaf(rng, 3, 7));
        assertGrad("layerNorm of a transposed view", in -> Norm.layerNorm(in[0].t(), 1, in[1], null, 1e-5f),
                leaf(rng, 5, 3), leaf(rng, 5));
        // only gamma and beta require grad: x gets none
        Tensor x = Tensor.randn(rng, 2, 4);
        Tensor g = leaf(rng, 4);
        Norm.layerNorm(x, 1, g, null, 1e-5f).sum().backward();
        assertNull(x.grad());
        assertEquals(4, g.grad().numel());
    }

    // ---- RMS norm -----------------------------------------------------------------------------------------------

    @Test
    void rmsNormMatchesNaive() {
        Rng rng = new Rng(4);
        Tensor x = Tensor.randn(rng, 2, 3, 9);
        Tensor g = Tensor.randn(rng, 9);
        assertClose(naiveRmsNorm(x.toFloatArray(), 9, g.toFloatArray(), 1e-6), Norm.rmsNorm(x, g, 1e-6f), 1e-5);
        assertClose(naiveRmsNorm(x.toFloatArray(), 9, null, 1e-2), Norm.rmsNorm(x, null, 1e-2f), 1e-5);
    }

    @Test
    void rmsNormGradients() {
        Rng rng = new Rng(5);
        assertGrad("rmsNorm", in -> Norm.rmsNorm(in[0], in[1], 1e-5f), leaf(rng, 4, 6), leaf(rng, 6));
        assertGrad("rmsNorm without gamma", in -> Norm.rmsNorm(in[0], null, 1e-5f), leaf(rng, 2, 3, 5));
    }

    // ---- batch norm ---------------------------------------------------------------------------------------------

    @Test
    void batchNormTrainingUsesBatchStatsAndUpdatesRunningStatsAsPyTorch() {
        // channel 0: 1, 3, 5, 7 -> mean 4, biased var 5, unbiased 20/3
        // channel 1: 2, 6, 10, 14 -> mean 8, biased var 20, unbiased 80/3
        Tensor x = Tensor.of(new float[] {1, 2, 3, 6, 5, 10, 7, 14}, 4, 2);
        Tensor rm = Tensor.of(new float[] {0, 1}, 2);
        Tensor rv = Tensor.of(new float[] {1, 2}, 2);
        Tensor gamma = Tensor.of(new float[] {2, -1}, 2);
        Tensor beta = Tensor.of(new float[] {0.5f, 0}, 2);
        Tensor y = Norm.batchNorm(x, rm, rv, gamma, beta, true, 0.1f, 0f);
        double s0 = Math.sqrt(5);
        double s1 = Math.sqrt(20);
        assertClose(new double[] {
            -3 / s0 * 2 + 0.5, 6 / s1, -1 / s0 * 2 + 0.5, 2 / s1, 1 / s0 * 2 + 0.5, -2 / s1, 3 / s0 * 2 + 0.5, -6 / s1},
                y, 1e-6);
        // running = 0.9·running + 0.1·batch, the variance unbiased
        assertClose(new double[] {0.4, 0.9 + 0.8}, rm, 1e-6);
        assertClose(new double[] {0.9 + 0.1 * 20 / 3.0, 1.8 + 0.1 * 80 / 3.0}, rv, 1e-6);
        // a second step compounds
        Norm.batchNorm(x, rm, rv, null, null, true, 0.1f, 0f);
        assertClose(new double[] {0.9 * 0.4 + 0.4, 0.9 * 1.7 + 0.8}, rm, 1e-6);
    }

    @Test
    void batchNormTrainingOverSpatialDimsMatchesNaive() {
        Rng rng = new Rng(6);
        int n = 3;
        int c = 4;
        int inner = 10;
        Tensor x = Tensor.randn(rng, n, c, 2, 5).mul(2f).add(1f);
        float[] xs = x.toFloatArray();
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int i = 0; i < xs.length; i++) {
            mean[(i / inner) % c] += xs[i] / (double) (n * inner);
        }
        for (int i = 0; i < xs.length; i++) {
            double d = xs[i] - mean[(i / inner) % c];
            var[(i / inner) % c] += d * d / (n * inner);
        }
        Tensor gamma = Tensor.randn(rng, c);
        Tensor beta = Tensor.randn(rng, c);
        Tensor rm = Tensor.zeros(c);
        Tensor rv = Tensor.ones(c);
        Tensor y = Norm.batchNorm(x, rm, rv, gamma, beta, true, 0.25f, 1e-5f);
        assertClose(naiveAffine(xs, c, inner, mean, var, gamma.toFloatArray(), beta.toFloatArray(), 1e-5), y, 1e-5);
        double[] expectRm = new double[c];
        double[] expectRv = new double[c];
        for (int ch = 0; ch < c; ch++) {
            expectRm[ch] = 0.25 * mean[ch];
            expectRv[ch] = 0.75 + 0.25 * var[ch] * (n * inner) / (n * inner - 1);
        }
        assertClose(expectRm, rm, 1e-6);
        assertClose(expectRv, rv, 1e-6);
    }

    @Test
    void batchNormEvalUsesRunningStatsAndLeavesThemAlone() {
        Rng rng = new Rng(7);
        Tensor x = Tensor.randn(rng, 5, 3, 4);
        float[] rmv = {0.5f, -1f, 2f};
        float[] rvv = {0.25f, 4f, 1f};
        Tensor rm = Tensor.of(rmv, 3);
        Tensor rv = Tensor.of(rvv, 3);
        Tensor gamma = Tensor.randn(rng, 3);
        Tensor beta = Tensor.randn(rng, 3);
        Tensor y = Norm.batchNorm(x, rm, rv, gamma, beta, false, 0.1f, 1e-3f);
        double[] mean = {0.5, -1, 2};
        double[] var = {0.25, 4, 1};
        assertClose(naiveAffine(x.toFloatArray(), 3, 4, mean, var, gamma.toFloatArray(), beta.toFloatArray(), 1e-3),
                y, 1e-6);
        assertArrayEquals(rmv, rm.toFloatArray());
        assertArrayEquals(rvv, rv.toFloatArray());
        // no running stats at all in training is allowed (track_running_stats = False)
        assertEquals(60, Norm.batchNorm(x, null, null, null, null, true, 0.1f, 1e-5f).numel());
    }

    @Test
    void batchNormGradientsInBothModes() {
        Rng rng = new Rng(8);
        Tensor rm = Tensor.of(new float[] {0.3f, -0.2f, 0.1f}, 3);
        Tensor rv = Tensor.of(new float[] {0.5f, 2f, 1.5f}, 3);
        for (boolean training : new boolean[] {true, false}) {
            String mode = training ? "train" : "eval";
            assertGrad("batchNorm (N, C) " + mode,
                    in -> Norm.batchNorm(in[0], rm, rv, in[1], in[2], training, 0.1f, 1e-5f),
                    leaf(rng, 6, 3), leaf(rng, 3), leaf(rng, 3));
            assertGrad("batchNorm (N, C, H, W) " + mode,
                    in -> Norm.batchNorm(in[0], rm, rv, in[1], in[2], training, 0.1f, 1e-5f),
                    leaf(rng, 2, 3, 2, 3), leaf(rng, 3), leaf(rng, 3));
            assertGrad("batchNorm without affine " + mode,
                    in -> Norm.batchNorm(in[0], rm, rv, null, null, training, 0.1f, 1e-5f), leaf(rng, 4, 3, 2));
        }
    }

    @Test
    void errorsNameTheProblem() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Norm.layerNorm(x, 1, Tensor.ones(2), null, 1e-5f));
        assertThrows(IllegalArgumentException.class, () -> Norm.layerNorm(x, 3, null, null, 1e-5f));
        assertThrows(IllegalArgumentException.class, () -> Norm.rmsNorm(x, null, Float.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> Norm.batchNorm(x, null, null, null, null, false, 0.1f, 1e-5f));
        assertThrows(IllegalArgumentException.class,
                () -> Norm.batchNorm(Tensor.zeros(1, 3), null, null, null, null, true, 0.1f, 1e-5f));
        assertThrows(IllegalArgumentException.class,
                () -> Norm.batchNorm(x, Tensor.zeros(3), Tensor.ones(3), null, null, true, 1.5f, 1e-5f));
    }
}
