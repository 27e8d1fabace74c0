package dev.brisk.cpu.norm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.backend.NormKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * VectorNorms against the scalar double ReferenceNorms on awkward shapes: row lengths around the vector width
 * (tails), one row, many rows (the parallel path), (N, C) and (N, C, *) batch-norm layouts, non-zero array
 * offsets, missing γ/β, and gradients accumulated into non-zero dγ/dβ.
 */
class VectorNormsTest {

    private static final NormKernels REF = new ReferenceBackend().norms().orElseThrow();
    private static final NormKernels VEC = new VectorNorms();

    /** Array offsets of the operands: kernels must honour them. */
    private static final int XO = 5;
    private static final int GO = 2;
    private static final int YO = 3;

    private static float[] data(long seed, int n, double offset, double spread) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (offset + spread * r.nextGaussian());
        }
        return a;
    }

    /** |v − r| ≤ tol·(|r| + rms(ref)): relative, with the array's typical magnitude as the floor. */
    private static void assertClose(String what, float[] ref, float[] vec, double tol) {
        assertClose(what, ref, vec, tol, 0);
    }

    /**
     * As above with a larger floor where the result is a difference of terms of magnitude {@code terms} (dx of a
     * norm cancels to ~0 for n = 1 or M = 2): no float kernel can do better than tol·terms there.
     */
    private static void assertClose(String what, float[] ref, float[] vec, double tol, double terms) {
        double rms = 0;
        for (float v : ref) {
            rms += (double) v * v;
        }
        rms = Math.max(terms, Math.sqrt(rms / Math.max(1, ref.length)));
        for (int i = 0; i < ref.length; i++) {
            double allowed = tol * (Math.abs(ref[i]) + rms) + 1e-30;
            assertTrue(Math.abs(vec[i] - ref[i]) <= allowed || (Float.isNaN(ref[i]) && Float.isNaN(vec[i])),
                    what + " element " + i + ": reference " + ref[i] + ", vector " + vec[i]);
        }
    }

    /** max |a| (1 for a missing γ); g is ~N(0, 1), so this bounds the terms of a dx. */
    private static double max(float[] a) {
        double m = a == null ? 1 : 0;
        for (float v : a == null ? new float[0] : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static Stream<Arguments> rowShapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int rows : new int[] {1, 3, 129}) {
            for (int n : new int[] {1, 15, 17, 33, 127, 129, 1000}) {
                b.add(Arguments.of(rows, n));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "rows {0}, n {1}")
    @MethodSource("rowShapes")
    void layerNormMatchesReference(int rows, int n) {
        for (boolean affine : new boolean[] {true, false}) {
            String at = "layerNorm rows " + rows + " n " + n + (affine ? "" : " no affine");
            float[] x = data(rows * 31L + n, XO + rows * n, 3, 2);
            float[] g = data(rows * 7L + n, GO + rows * n, 0, 1);
            float[] gamma = affine ? data(n, n, 1, 0.5) : null;
            float[] beta = affine ? data(n + 1, n, 0, 0.5) : null;
            float[][] y = new float[2][YO + rows * n];
            float[][] mean = new float[2][rows];
            float[][] rstd = new float[2][rows];
            float[][] dx = new float[2][YO + rows * n];
            float[][] dg = {data(1, n, 0, 1), data(1, n, 0, 1)};   // accumulated into
            float[][] db = {data(2, n, 0, 1), data(2, n, 0, 1)};
            NormKernels[] k = {REF, VEC};
            for (int i = 0; i < 2; i++) {
                k[i].layerNorm(x, XO, rows, n, gamma, beta, 1e-5f, y[i], YO, mean[i], rstd[i]);
                k[i].layerNormBackward(g, GO, x, XO, rows, n, gamma, mean[0], rstd[0], dx[i], YO,
                        affine ? dg[i] : null, affine ? db[i] : null);
            }
            assertClose(at + " y", y[0], y[1], 2e-6);
            assertClose(at + " mean", mean[0], mean[1], 1e-6);
            assertClose(at + " rstd", rstd[0], rstd[1], 2e-6);
            assertClose(at + " dx", dx[0], dx[1], 2e-5, max(rstd[0]) * max(gamma));
            assertClose(at + " dgamma", dg[0], dg[1], 2e-5);
            assertClose(at + " dbeta", db[0], db[1], 2e-5);
        }
    }

    @ParameterizedTest(name = "rows {0}, n {1}")
    @MethodSource("rowShapes")
    void rmsNormMatchesReference(int rows, int n) {
        for (boolean affine : new boolean[] {true, false}) {
            String at = "rmsNorm rows " + rows + " n " + n + (affine ? "" : " no gamma");
            float[] x = data(rows * 13L + n, XO + rows * n, 0.5, 2);
            float[] g = data(rows * 3L + n, GO + rows * n, 0, 1);
            float[] gamma = affine ? data(n, n, 1, 0.5) : null;
            float[][] y = new float[2][YO + rows * n];
            float[][] rstd = new float[2][rows];
            float[][] dx = new float[2][YO + rows * n];
            float[][] dg = {data(3, n, 0, 1), data(3, n, 0, 1)};
            NormKernels[] k = {REF, VEC};
            for (int i = 0; i < 2; i++) {
                k[i].rmsNorm(x, XO, rows, n, gamma, 1e-6f, y[i], YO, rstd[i]);
                k[i].rmsNormBackward(g, GO, x, XO, rows, n, gamma, rstd[0], dx[i], YO, dg[i]);
            }
            assertClose(at + " y", y[0], y[1], 2e-6);
            assertClose(at + " rstd", rstd[0], rstd[1], 2e-6);
            assertClose(at + " dx", dx[0], dx[1], 2e-5, max(rstd[0]) * max(gamma));
            assertClose(at + " dgamma", dg[0], dg[1], 2e-5);
        }
    }

    @Test
    void gradientOutputsMayBeSkipped() {
        int rows = 129;
        int n = 129;
        float[] x = data(9, rows * n, 1, 1);
        float[] g = data(10, rows * n, 0, 1);
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        VEC.layerNorm(x, 0, rows, n, null, null, 1e-5f, new float[rows * n], 0, mean, rstd);
        float[][] dg = {new float[n], new float[n]};
        REF.layerNormBackward(g, 0, x, 0, rows, n, null, mean, rstd, null, 0, dg[0], null);
        VEC.layerNormBackward(g, 0, x, 0, rows, n, null, mean, rstd, null, 0, dg[1], null);
        assertClose("dgamma only", dg[0], dg[1], 2e-5);
    }

    static Stream<Arguments> channelShapes() {
        return Stream.of(
                Arguments.of(2, 1, 1), Arguments.of(4, 3, 1), Arguments.of(3, 17, 1), Arguments.of(129, 33, 1),
                Arguments.of(1000, 15, 1), Arguments.of(300, 129, 1),                 // (N, C): columns, tails
                Arguments.of(2, 3, 15), Arguments.of(3, 4, 17), Arguments.of(2, 5, 7), Arguments.of(1, 3, 1000),
                Arguments.of(16, 8, 129), Arguments.of(64, 3, 33), Arguments.of(3, 1, 127));   // (N, C, *): runs
    }

    @ParameterizedTest(name = "outer {0}, channels {1}, inner {2}")
    @MethodSource("channelShapes")
    void batchNormMatchesReference(int outer, int channels, int inner) {
        int size = outer * channels * inner;
        String at = "batchNorm " + outer + "x" + channels + "x" + inner;
        float[] x = data(size, XO + size, -2, 3);
        float[] g = data(size + 1, GO + size, 0, 1);
        float[][] mean = new float[2][channels];
        float[][] var = new float[2][channels];
        NormKernels[] k = {REF, VEC};
        for (int i = 0; i < 2; i++) {
            k[i].channelStats(x, XO, outer, channels, inner, mean[i], var[i]);
        }
        assertClose(at + " mean", mean[0], mean[1], 2e-6);
        assertClose(at + " var", var[0], var[1], 2e-5);
        float[] gamma = data(channels, channels, 1, 0.5);
        float[] beta = data(channels + 1, channels, 0, 0.5);
        float[] rstd = new float[channels];
        float[] scale = new float[channels];
        for (int c = 0; c < channels; c++) {
            rstd[c] = (float) (1 / Math.sqrt(var[0][c] + 1e-5));
            scale[c] = gamma[c] * rstd[c];
        }
        for (boolean withMeanShift : new boolean[] {true, false}) {
            float[][] y = new float[2][YO + size];
            for (int i = 0; i < 2; i++) {
                k[i].channelAffine(x, XO, outer, channels, inner, withMeanShift ? mean[0] : null, scale,
                        withMeanShift ? beta : null, y[i], YO);
            }
            assertClose(at + " affine" + (withMeanShift ? "" : " (no mean, no shift)"), y[0], y[1], 2e-6);
        }
        for (boolean training : new boolean[] {true, false}) {
            for (boolean affine : new boolean[] {true, false}) {
                String mode = at + (training ? " train" : " eval") + (affine ? "" : " no affine");
                float[][] dx = new float[2][YO + size];
                float[][] dg = {data(4, channels, 0, 1), data(4, channels, 0, 1)};
                float[][] db = {data(5, channels, 0, 1), data(5, channels, 0, 1)};
                for (int i = 0; i < 2; i++) {
                    k[i].batchNormBackward(training, g, GO, x, XO, outer, channels, inner, mean[0], rstd,
                            affine ? gamma : null, dx[i], YO, dg[i], db[i]);
                }
                assertClose(mode + " dx", dx[0], dx[1], 5e-5, max(rstd) * (affine ? max(gamma) : 1));
                assertClose(mode + " dgamma", dg[0], dg[1], 2e-5);
                assertClose(mode + " dbeta", db[0], db[1], 2e-5);
            }
        }
    }

    @Test
    void largeCommonOffsetKeepsTheVarianceAccurate() {
        // mean 1e4, std 1: a one-pass E[x²] − E[x]² in float would return garbage (even negative) variances
        int outer = 64;
        int channels = 20;
        float[] x = data(11, outer * channels, 1e4, 1);
        float[][] mean = new float[2][channels];
        float[][] var = new float[2][channels];
        REF.channelStats(x, 0, outer, channels, 1, mean[0], var[0]);
        VEC.channelStats(x, 0, outer, channels, 1, mean[1], var[1]);
        assertClose("var, columns", var[0], var[1], 1e-3);
        REF.channelStats(x, 0, 4, channels, 16, mean[0], var[0]);
        VEC.channelStats(x, 0, 4, channels, 16, mean[1], var[1]);
        assertClose("var, runs", var[0], var[1], 1e-3);
        float[][] rstd = new float[2][8];
        float[][] y = new float[2][x.length];
        REF.layerNorm(x, 0, 8, 160, null, null, 1e-5f, y[0], 0, new float[8], rstd[0]);
        VEC.layerNorm(x, 0, 8, 160, null, null, 1e-5f, y[1], 0, new float[8], rstd[1]);
        assertClose("layer norm rstd", rstd[0], rstd[1], 1e-3);
    }
}
