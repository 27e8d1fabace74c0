package dev.brisk.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Embedding;
import dev.brisk.nn.Linear;
import dev.brisk.nn.NnTesting;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {

    record Stats(double mean, double std, double min, double max) {
        static Stats of(Tensor t) {
            float[] v = t.toFloatArray();
            double s = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float x : v) {
                s += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = s / v.length;
            double q = 0;
            for (float x : v) {
                q += (x - mean) * (x - mean);
            }
            return new Stats(mean, Math.sqrt(q / v.length), min, max);
        }
    }

    /** U(−b, b): mean 0, std b/√3, every value inside, and both ends nearly reached. */
    static void assertUniform(Tensor t, double bound) {
        Stats s = Stats.of(t);
        assertTrue(s.min() >= -bound && s.max() < bound, s + " outside ±" + bound);
        assertTrue(s.min() < -0.98 * bound && s.max() > 0.98 * bound, s + " does not span ±" + bound);
        assertEquals(0, s.mean(), 0.02 * bound, "mean");
        assertEquals(bound / Math.sqrt(3), s.std(), 0.02 * bound, "std");
    }

    static void assertNormal(Tensor t, double std) {
        Stats s = Stats.of(t);
        assertEquals(0, s.mean(), 0.02 * std, "mean");
        assertEquals(std, s.std(), 0.02 * std, "std");
        assertTrue(s.max() > 3 * std && s.max() < 6 * std, "tails of " + s);
    }

    @Test
    void fansAndGains() {
        assertEquals(new Fans(8 * 9, 16 * 9), Fans.of(new int[] {16, 8, 3, 3}));
        assertEquals(new Fans(5, 7), Fans.of(new int[] {7, 5}));
        NnTesting.assertThrowsWith(IllegalArgumentException.class, () -> Fans.of(new int[] {4}), "at least 2 dims",
                "[4]");
        assertEquals(1, Nonlinearity.LINEAR.gain(), 0);
        assertEquals(1, Nonlinearity.SIGMOID.gain(), 0);
        assertEquals(5 / 3.0, Nonlinearity.TANH.gain(), 1e-12);
        assertEquals(Math.sqrt(2), Nonlinearity.RELU.gain(), 1e-12);
        assertEquals(Math.sqrt(2 / 1.0001), Nonlinearity.LEAKY_RELU.gain(), 1e-12);
        assertEquals(Math.sqrt(2 / 6.0), Nonlinearity.LEAKY_RELU.gain(Math.sqrt(5)), 1e-12);
        assertEquals(0.75, Nonlinearity.SELU.gain(), 0);
    }

    @Test
    void kaiming() {
        Rng rng = new Rng(1);
        Tensor w = Tensor.zeros(256, 512);
        assertUniform(Init.kaimingUniform(w, 0, FanMode.FAN_IN, Nonlinearity.RELU, rng), Math.sqrt(2) * Math.sqrt(3.0
                / 512));
        assertUniform(Init.kaimingUniform(w, 0, FanMode.FAN_OUT, Nonlinearity.RELU, rng), Math.sqrt(2)
                * Math.sqrt(3.0 / 256));
        assertNormal(Init.kaimingNormal(w, 0, FanMode.FAN_IN, Nonlinearity.RELU, rng), Math.sqrt(2.0 / 512));
        assertNormal(Init.kaimingNormal(Tensor.zeros(64, 32, 3, 3), 0, FanMode.FAN_OUT, Nonlinearity.TANH, rng),
                5 / 3.0 / Math.sqrt(64 * 9));
    }

    @Test
    void xavier() {
        Rng rng = new Rng(2);
        Tensor w = Tensor.zeros(300, 500);
        assertUniform(Init.xavierUniform(w, 1, rng), Math.sqrt(6.0 / 800));
        assertUniform(Init.xavierUniform(w, Nonlinearity.TANH.gain(), rng), 5 / 3.0 * Math.sqrt(6.0 / 800));
        assertNormal(Init.xavierNormal(w, 1, rng), Math.sqrt(2.0 / 800));
    }

    @Test
    void plainFills() {
        Rng rng = new Rng(3);
        Tensor t = Tensor.zeros(400, 400);
        Stats u = Stats.of(Init.uniform(t, 2, 5, rng));
        assertTrue(u.min() >= 2 && u.max() < 5);
        assertEquals(3.5, u.mean(), 0.02);
        Stats n = Stats.of(Init.normal(t, -1, 0.5, rng));
        assertEquals(-1, n.mean(), 0.01);
        assertEquals(0.5, n.std(), 0.01);
        assertArrayEquals(new float[] {1, 1, 1, 1}, Init.ones(Tensor.zeros(2, 2)).toFloatArray());
        assertArrayEquals(new float[] {0, 0}, Init.zeros(Tensor.ones(2)).toFloatArray());
        assertArrayEquals(new float[] {7}, Init.constant(Tensor.zeros(), 7).toFloatArray());
        NnTesting.assertThrowsWith(IllegalArgumentException.class, () -> Init.normal(t, 0, -1, rng), "std", "-1");
    }

    @Test
    void sameSeedSameValues() {
        assertArrayEquals(Init.normal(Tensor.zeros(50), 0, 1, new Rng(5)).toFloatArray(),
                Init.normal(Tensor.zeros(50), 0, 1, new Rng(5)).toFloatArray());
    }

    @Test
    void layerDefaultsFollowPyTorch() {
        // Linear and Conv2d: kaiming_uniform(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in)
        Linear lin = new Linear(300, 400, new Rng(1));
        assertUniform(lin.weight(), 1 / Math.sqrt(300));
        Stats b = Stats.of(lin.bias());
        assertTrue(b.min() >= -1 / Math.sqrt(300) && b.max() < 1 / Math.sqrt(300));
        assertTrue(b.max() - b.min() > 1.8 / Math.sqrt(300));
        Conv2d conv = new Conv2d(new Conv2d.Config(32, 64, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 2, true), new Rng(2));
        assertUniform(conv.weight(), 1 / Math.sqrt(16 * 9));
        Stats cb = Stats.of(conv.bias());
        assertTrue(cb.min() >= -1 / 12.0 && cb.max() < 1 / 12.0);
        // Embedding: N(0, 1)
        assertNormal(new Embedding(1000, 64, new Rng(3)).weight(), 1);
    }
}
