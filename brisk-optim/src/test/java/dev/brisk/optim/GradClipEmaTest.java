package dev.brisk.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Clipping by global norm (with inf/NaN) and by value; EMA of weights with swap-in and state round trip. */
class GradClipEmaTest {

    private static Map<String, Tensor> withGrads(float[]... grads) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < grads.length; i++) {
            Tensor p = Tensor.zeros(grads[i].length).requiresGrad(true);
            p.setGrad(Tensor.of(grads[i], grads[i].length));
            m.put("p" + i, p);
        }
        return m;
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void globalNormClipping() {
        float[] a = random(100_003, 1);   // large enough for the parallel path
        float[] b = random(17, 2);
        double sum = 0;
        for (float v : a) {
            sum += (double) v * v;
        }
        for (float v : b) {
            sum += (double) v * v;
        }
        double norm = Math.sqrt(sum);
        Map<String, Tensor> p = withGrads(a, b);
        Tensor noGrad = Tensor.zeros(3).requiresGrad(true);
        p.put("frozen", noGrad);
        assertEquals(norm, GradClip.globalNorm(p), norm * 1e-7);
        assertEquals(norm, GradClip.byGlobalNorm(p, 1000), norm * 1e-7);   // below the limit: untouched
        assertArrayEquals(a, p.get("p0").grad().toFloatArray());
        assertEquals(norm, GradClip.byGlobalNorm(p, 2.0), norm * 1e-7);
        double c = 2.0 / (norm + 1e-6);
        float[] ca = p.get("p0").grad().toFloatArray();
        for (int i = 0; i < a.length; i += 997) {
            assertEquals(a[i] * c, ca[i], 1e-6 * Math.abs(a[i] * c) + 1e-12);
        }
        assertEquals(2.0, GradClip.globalNorm(p), 1e-5);
    }

    @Test
    void nonFiniteNormLeavesGradientsAlone() {
        Map<String, Tensor> p = withGrads(new float[] {1, 2}, new float[] {3, Float.POSITIVE_INFINITY, 5});
        assertEquals(Double.POSITIVE_INFINITY, GradClip.byGlobalNorm(p, 1));
        assertArrayEquals(new float[] {1, 2}, p.get("p0").grad().toFloatArray());
        Map<String, Tensor> q = withGrads(new float[] {1, Float.NaN});
        assertTrue(Double.isNaN(GradClip.byGlobalNorm(q, 1)));
        var e = assertThrows(ArithmeticException.class, () -> GradClip.byGlobalNormOrThrow(p, 1));
        assertTrue(e.getMessage().contains("'p1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradClip.byGlobalNorm(p, 0));
    }

    @Test
    void clipByValue() {
        float[] g = new float[37];
        for (int i = 0; i < g.length; i++) {
            g[i] = (i - 18) * 0.1f;
        }
        g[3] = Float.NaN;
        g[5] = Float.NEGATIVE_INFINITY;
        Map<String, Tensor> p = withGrads(g);
        GradClip.byValue(p, 0.5);
        float[] out = p.get("p0").grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            float want = Float.isNaN(g[i]) ? Float.NaN : Math.max(-0.5f, Math.min(0.5f, g[i]));
            assertEquals(want, out[i], "element " + i);
        }
    }

    @Test
    void emaTracksTheAverageAndSwapsIn() {
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5}, 5).requiresGrad(true);
        Ema ema = new Ema(Map.of("w", w), 0.9, false);
        double[] s = {1, 2, 3, 4, 5};
        for (int t = 0; t < 5; t++) {
            float[] v = w.toFloatArray();
            for (int i = 0; i < 5; i++) {
                v[i] += 1 + i * t;
                w.storage().floats()[i] = v[i];
                s[i] = 0.9 * s[i] + 0.1 * v[i];
            }
            ema.update();
        }
        Problems.assertClose("ema", s, ema.averages().get("w").toFloatArray(), 1e-6, 0);
        float[] training = w.toFloatArray();
        try (var scope = ema.swapIn()) {
            Problems.assertClose("swapped in", s, w.toFloatArray(), 1e-6, 0);
            assertThrows(IllegalStateException.class, ema::update);
            assertThrows(IllegalStateException.class, ema::swapIn);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(training, w.toFloatArray());
        Ema copy = new Ema(Map.of("w", w), 0.9, false);
        copy.loadStateDict(ema.stateDict());
        assertEquals(5, copy.updates());
        assertArrayEquals(ema.averages().get("w").toFloatArray(), copy.averages().get("w").toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> copy.loadStateDict(Map.of("w", Tensor.zeros(4))));
    }

    @Test
    void emaWarmupUsesSmallerDecayEarly() {
        Tensor w = Tensor.of(new float[] {0}, 1).requiresGrad(true);
        Ema ema = new Ema(Map.of("w", w), 0.999, true);
        assertEquals(0.1, ema.currentDecay(), 1e-15);      // (1 + 0) / (10 + 0)
        w.storage().floats()[0] = 10;
        ema.update();
        assertEquals(9, ema.averages().get("w").item(), 1e-6);   // 0.1·0 + 0.9·10
        assertEquals(2 / 11.0, ema.currentDecay(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new Ema(Map.of("w", w), 1.0, false));
    }
}
