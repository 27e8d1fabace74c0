package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertModuleGradients;
import static dev.brisk.nn.NnTesting.assertShape;
import static dev.brisk.nn.NnTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {

    /** y[r][o] = Σ_i x[r][i]·W[o][i] + b[o], rows r over all leading dims. */
    static double[] naive(float[] x, float[] w, float[] b, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = acc;
            }
        }
        return y;
    }

    @Test
    void forwardMatchesNaiveLoopsWithLeadingDims() {
        Linear lin = new Linear(5, 3, new Rng(1));
        Tensor x = input(2, 2, 4, 5);
        Tensor y = lin.forward(x);
        assertShape(y, 2, 4, 3);
        assertClose(naive(x.toFloatArray(), lin.weight().toFloatArray(), lin.bias().toFloatArray(), 8, 5, 3), y,
                "linear");
    }

    @Test
    void withoutBias() {
        Linear lin = new Linear(4, 2, false, new Rng(1));
        assertNull(lin.bias());
        assertEquals(1, lin.parameters().size());
        Tensor x = input(3, 3, 4);
        assertClose(naive(x.toFloatArray(), lin.weight().toFloatArray(), null, 3, 4, 2), lin.forward(x), "no bias");
    }

    @Test
    void gradients() {
        assertModuleGradients(new Linear(4, 3, new Rng(2)), input(4, 2, 4));
        assertModuleGradients(new Linear(3, 2, false, new Rng(2)), input(5, 2, 2, 3));
    }

    @Test
    void sameSeedSameWeights() {
        assertEquals(java.util.Arrays.toString(new Linear(6, 4, new Rng(9)).weight().toFloatArray()),
                java.util.Arrays.toString(new Linear(6, 4, new Rng(9)).weight().toFloatArray()));
    }
}
