package dev.brisk.tensor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.GradCheck;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Scaled dot-product attention: forward against naive double loops, the causal mask leaks nothing from the
 * future (outputs and gradients), and finite-difference gradchecks for q, k, v with and without the mask.
 */
class AttentionTest {

    /** softmax_j(scale·q_i·k_j over visible j)·v of contiguous (batch, T, hs), (batch, S, hs), (batch, S, hv). */
    private static double[] naive(float[] q, float[] k, float[] v, int batch, int t, int s, int hs, int hv,
                                  boolean causal, double scale) {
        double[] out = new double[batch * t * hv];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < t; i++) {
                int visible = causal ? Math.min(i + 1, s) : s;
                double[] w = new double[visible];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    double dot = 0;
                    for (int d = 0; d < hs; d++) {
                        dot += (double) q[(b * t + i) * hs + d] * k[(b * s + j) * hs + d];
                    }
                    w[j] = dot * scale;
                    max = Math.max(max, w[j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) {
                    w[j] = Math.exp(w[j] - max);
                    sum += w[j];
                }
                for (int j = 0; j < visible; j++) {
                    for (int d = 0; d < hv; d++) {
                        out[(b * t + i) * hv + d] += w[j] / sum * v[(b * s + j) * hv + d];
                    }
                }
            }
        }
        return out;
    }

    private static void assertMatchesNaive(int[] batchDims, int t, int s, int hs, int hv, boolean causal,
                                           float scale, long seed) {
        Rng rng = new Rng(seed);
        int batch = Arrays.stream(batchDims).reduce(1, (a, b) -> a * b);
        Tensor q = Tensor.randn(rng, concat(batchDims, t, hs)).mul(2f);
        Tensor k = Tensor.randn(rng, concat(batchDims, s, hs)).mul(2f);
        Tensor v = Tensor.randn(rng, concat(batchDims, s, hv));
        Tensor y = Attention.scaledDotProduct(q, k, v, causal, scale);
        assertArrayEquals(concat(batchDims, t, hv), y.shape());
        double[] expect = naive(q.toFloatArray(), k.toFloatArray(), v.toFloatArray(), batch, t, s, hs, hv, causal,
                scale);
        float[] got = y.toFloatArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals(expect[i], got[i], 1e-5 * (1 + Math.abs(expect[i])), "element " + i + " causal " + causal);
        }
    }

    private static int[] concat(int[] lead, int... tail) {
        int[] r = Arrays.copyOf(lead, lead.length + tail.length);
        System.arraycopy(tail, 0, r, lead.length, tail.length);
        return r;
    }

    @Test
    void forwardMatchesNaive() {
        for (boolean causal : new boolean[] {false, true}) {
            assertMatchesNaive(new int[] {2, 3}, 5, 5, 4, 4, causal, 0.7f, 1);
            assertMatchesNaive(new int[] {1, 2}, 17, 17, 8, 3, causal, 1 / (float) Math.sqrt(8), 2);
            assertMatchesNaive(new int[] {2}, 3, 6, 5, 2, causal, 1.3f, 3);   // T < S
            assertMatchesNaive(new int[] {2}, 6, 3, 5, 2, causal, 0.4f, 4);   // T > S
        }
    }

    @Test
    void defaultScaleIsOneOverSqrtHeadSize() {
        Rng rng = new Rng(5);
        Tensor q = Tensor.randn(rng, 1, 2, 4, 9);
        Tensor k = Tensor.randn(rng, 1, 2, 4, 9);
        Tensor v = Tensor.randn(rng, 1, 2, 4, 9);
        assertArrayEquals(Attention.scaledDotProduct(q, k, v, true, 1 / 3f).toFloatArray(),
                Attention.scaledDotProduct(q, k, v, true).toFloatArray());
    }

    @Test
    void nonContiguousHeadsFromAPermutedProjection() {
        // (B, T, H, hs) permuted to (B, H, T, hs), as attention layers split heads: no copy needed, same result
        Rng rng = new Rng(6);
        Tensor q = Tensor.randn(rng, 2, 5, 3, 4).permute(0, 2, 1, 3);
        Tensor k = Tensor.randn(rng, 2, 5, 3, 4).permute(0, 2, 1, 3);
        Tensor v = Tensor.randn(rng, 2, 5, 3, 4).permute(0, 2, 1, 3);
        Tensor a = Attention.scaledDotProduct(q, k, v, true, 0.5f);
        Tensor b = Attention.scaledDotProduct(q.contiguous(), k.contiguous(), v.contiguous(), true, 0.5f);
        assertTrue(a.allClose(b, 1e-6, 1e-6));
    }

    @Test
    void causalMaskNeverLeaksTheFuture() {
        Rng rng = new Rng(7);
        int t = 8;
        Tensor q = Tensor.randn(rng, 2, 2, t, 4);
        Tensor k = Tensor.randn(rng, 2, 2, t, 4);
        Tensor v = Tensor.randn(rng, 2, 2, t, 4);
        float[] base = Attention.scaledDotProduct(q, k, v, true, 0.5f).toFloatArray();
        float[] baseFull = Attention.scaledDotProduct(q, k, v, false, 0.5f).toFloatArray();
        for (int pos = 1; pos < t; pos++) {
            for (int which = 0; which < 3; which++) {
                Tensor[] in = {q.copy(), k.copy(), v.copy()};
                in[which].narrow(2, pos, 1).copyFrom(Tensor.randn(rng, 2, 2, 1, 4).mul(50f));
                float[] y = Attention.scaledDotProduct(in[0], in[1], in[2], true, 0.5f).toFloatArray();
                for (int i = 0; i < y.length; i++) {
                    int row = (i / 4) % t;
                    if (row < pos) {
                        assertEquals(base[i], y[i], 0f, "changing " + "qkv".charAt(which) + " at " + pos
                                + " changed the output of earlier position " + row);
                    }
                }
                // sanity (the test can fail): the changed position itself moves, and without the mask so does the past
                assertFalse(Arrays.equals(base, y), "changing " + "qkv".charAt(which) + " at " + pos + " changed nothing");
                if (which > 0) {
                    float[] full = Attention.scaledDotProduct(in[0], in[1], in[2], false, 0.5f).toFloatArray();
                    assertTrue(full[0] != baseFull[0] || full[4 * t] != baseFull[4 * t],
                            "without the mask, position 0 should see " + "qkv".charAt(which) + " at " + pos);
                }
            }
        }
    }

    @Test
    void causalGradientsOfThePastDoNotReachTheFuture() {
        Rng rng = new Rng(8);
        int t = 6;
        int cut = 3;
        Tensor q = Tensor.randn(rng, 1, 2, t, 4).requiresGrad(true);
        Tensor k = Tensor.randn(rng, 1, 2, t, 4).requiresGrad(true);
        Tensor v = Tensor.randn(rng, 1, 2, t, 4).requiresGrad(true);
        Attention.scaledDotProduct(q, k, v, true, 0.5f).narrow(2, 0, cut).sum().backward();
        for (Tensor in : new Tensor[] {q, k, v}) {
            float[] g = in.grad().toFloatArray();
            boolean pastNonZero = false;
            for (int i = 0; i < g.length; i++) {
                int row = (i / 4) % t;
                if (row >= cut) {
                    assertEquals(0f, g[i], 0f, "gradient leaked to future position " + row);
                } else {
                    pastNonZero |= g[i] != 0;
                }
            }
            assertTrue(pastNonZero);
        }
    }

    @Test
    void gradientsForQKV() {
        Rng rng = new Rng(9);
        for (boolean causal : new boolean[] {false, true}) {
            Tensor q = Tensor.randn(rng, 2, 2, 5, 3).requiresGrad(true);
            Tensor k = Tensor.randn(rng, 2, 2, 5, 3).requiresGrad(true);
            Tensor v = Tensor.randn(rng, 2, 2, 5, 4).requiresGrad(true);
            GradCheck.Result r = GradCheck.check(in -> Attention.scaledDotProduct(in[0], in[1], in[2], causal, 0.8f),
                    new Tensor[] {q, k, v}, 1e-2, 2e-3, 2e-2);
            assertTrue(r.passed(), "causal " + causal + ": " + r.message());
            // T != S and permuted (non-contiguous) inputs
            Tensor q2 = Tensor.randn(rng, 4, 2, 3).requiresGrad(true);
            Tensor k2 = Tensor.randn(rng, 6, 2, 3).requiresGrad(true);
            Tensor v2 = Tensor.randn(rng, 6, 2, 2).requiresGrad(true);
            r = GradCheck.check(in -> Attention.scaledDotProduct(in[0].transpose(0, 1), in[1].transpose(0, 1),
                    in[2].transpose(0, 1), causal, 0.6f), new Tensor[] {q2, k2, v2}, 1e-2, 2e-3, 2e-2);
            assertTrue(r.passed(), "T != S, causal " + causal + ": " + r.message());
        }
    }

    @Test
    void onlyRequestedGradientsAreComputed() {
        Rng rng = new Rng(10);
        Tensor q = Tensor.randn(rng, 1, 1, 3, 2);
        Tensor k = Tensor.randn(rng, 1, 1, 3, 2);
        Tensor v = Tensor.randn(rng, 1, 1, 3, 2).requiresGrad(true);
        Attention.scaledDotProduct(q, k, v, true, 1f).sum().backward();
        assertEquals(null, q.grad());
        assertEquals(6, v.grad().numel());
    }

    @Test
    void shapeErrorsNameTheShapes() {
        Tensor q = Tensor.zeros(1, 2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(1, 2, 3, 5), Tensor.zeros(1, 2, 3, 4), true, 1f));
        assertTrue(e.getMessage().contains("head size"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(1, 3, 3, 4), Tensor.zeros(1, 3, 3, 4), true, 1f));
        assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(1, 2, 3, 4), Tensor.zeros(1, 2, 2, 4), false, 1f));
    }
}
