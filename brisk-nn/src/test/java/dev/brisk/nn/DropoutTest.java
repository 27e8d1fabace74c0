package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void keepsAboutOneMinusPAndScalesByItsInverse() {
        int n = 200_000;
        for (float p : new float[] {0.1f, 0.5f, 0.8f}) {
            float[] y = new Dropout(p, new Rng(7)).forward(Tensor.ones(n)).toFloatArray();
            int kept = 0;
            for (float v : y) {
                if (v != 0) {
                    assertEquals(1 / (1 - p), v, 1e-6, "kept values are scaled by 1/(1-p)");
                    kept++;
                }
            }
            // std of the kept fraction is √(p(1-p)/n) ≤ 0.0012; allow ~8σ
            assertEquals(1 - p, kept / (double) n, 0.01, "kept fraction for p=" + p);
            double mean = Arrays.stream(NnTesting.toDouble(y)).sum() / n;
            assertEquals(1.0, mean, 0.02, "expectation preserved for p=" + p);
        }
    }

    @Test
    void identityInEvalAndAtZero() {
        Tensor x = NnTesting.input(1, 50);
        Dropout d = new Dropout(0.5f, new Rng(1));
        d.eval();
        assertSame(x, d.forward(x));
        assertSame(x, new Dropout(0f, new Rng(1)).forward(x));
        assertClose(new double[50], new Dropout(1f, new Rng(1)).forward(x), 0, 0, "p = 1 zeroes everything");
    }

    @Test
    void sameSeedSameMaskDifferentSeedDifferentMask() {
        Tensor x = Tensor.ones(1000);
        float[] a = new Dropout(0.5f, new Rng(42)).forward(x).toFloatArray();
        float[] b = new Dropout(0.5f, new Rng(42)).forward(x).toFloatArray();
        float[] c = new Dropout(0.5f, new Rng(43)).forward(x).toFloatArray();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        // successive calls draw fresh masks
        Dropout d = new Dropout(0.5f, new Rng(42));
        assertFalse(Arrays.equals(d.forward(x).toFloatArray(), d.forward(x).toFloatArray()));
    }

    @Test
    void gradientIsTheScaledMask() {
        Tensor x = NnTesting.input(3, 4, 25).requiresGrad(true);
        Tensor y = new Dropout(0.25f, new Rng(5)).forward(x);
        y.sum().backward();
        float[] yv = y.toFloatArray();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(yv[i] == 0 ? 0 : 1 / 0.75f, g[i], 1e-6);
        }
        assertTrue(Arrays.stream(NnTesting.toDouble(g)).anyMatch(v -> v == 0));
    }
}
