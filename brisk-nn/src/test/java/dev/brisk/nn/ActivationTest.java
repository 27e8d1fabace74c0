package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertGradients;
import static dev.brisk.nn.NnTesting.assertModuleGradients;
import static dev.brisk.nn.NnTesting.assertShape;
import static dev.brisk.nn.NnTesting.input;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ActivationTest {

    /** Inputs away from 0 (ReLU's kink) by at least 0.05. */
    static final float[] XS = {-3f, -1.5f, -1f, -0.5f, -0.1f, 0.1f, 0.5f, 1f, 2f, 3.5f};

    static void check(Module m, DoubleUnaryOperator f) {
        Tensor x = Tensor.of(XS, 2, 5);
        double[] expected = new double[XS.length];
        for (int i = 0; i < XS.length; i++) {
            expected[i] = f.applyAsDouble(XS[i]);
        }
        assertClose(expected, m.forward(x), m.toString());
        assertModuleGradients(m, Tensor.of(XS, 2, 5));
    }

    @Test
    void elementwise() {
        check(new ReLU(), v -> Math.max(v, 0));
        check(new Tanh(), Math::tanh);
        check(new Sigmoid(), v -> 1 / (1 + Math.exp(-v)));
        check(new SiLU(), v -> v / (1 + Math.exp(-v)));
        check(new GELU(GELU.Approximation.TANH),
                v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
    }

    @Test
    void exactGeluAgainstTabulatedValues() {
        // x·Φ(x), Φ from tables of the normal distribution
        Tensor x = Tensor.of(new float[] {-2f, -1f, 0f, 0.5f, 1f, 2f}, 6);
        double[] expected = {-0.04550026389635842, -0.15865525393145707, 0, 0.34573123063700656, 0.8413447460685429,
            1.9544997361036416};
        assertClose(expected, new GELU().forward(x), 1e-5, 1e-6, "gelu");
        assertModuleGradients(new GELU(), Tensor.of(XS, 10));
    }

    @Test
    void softmaxAlongEachDim() {
        Tensor x = input(1, 2, 3, 4);
        float[] v = x.toFloatArray();
        double[] last = new double[24];
        double[] middle = new double[24];
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                double z = 0;
                for (int c = 0; c < 4; c++) {
                    z += Math.exp(v[(a * 3 + b) * 4 + c]);
                }
                for (int c = 0; c < 4; c++) {
                    last[(a * 3 + b) * 4 + c] = Math.exp(v[(a * 3 + b) * 4 + c]) / z;
                }
            }
            for (int c = 0; c < 4; c++) {
                double z = 0;
                for (int b = 0; b < 3; b++) {
                    z += Math.exp(v[(a * 3 + b) * 4 + c]);
                }
                for (int b = 0; b < 3; b++) {
                    middle[(a * 3 + b) * 4 + c] = Math.exp(v[(a * 3 + b) * 4 + c]) / z;
                }
            }
        }
        assertClose(last, new Softmax(-1).forward(x), "softmax(-1)");
        assertClose(middle, new Softmax(1).forward(x), "softmax(1)");
        assertModuleGradients(new Softmax(1), input(2, 2, 3, 2));
    }

    @Test
    void flatten() {
        Tensor x = input(1, 2, 3, 4, 5);
        Tensor y = new Flatten().forward(x);
        assertShape(y, 2, 60);
        assertClose(NnTesting.toDouble(x.toFloatArray()), y, "values kept in order");
        assertShape(new Flatten(0, 1).forward(x), 6, 4, 5);
        assertShape(new Flatten(-2, -1).forward(x), 2, 3, 20);
        assertModuleGradients(new Flatten(), input(3, 2, 2, 3));
    }

    @Test
    void sequentialAndResidualCompose() {
        Rng rng = new Rng(4);
        Linear a = new Linear(3, 5, rng);
        Linear b = new Linear(5, 3, rng);
        Sequential seq = new Sequential(a, new Tanh(), b);
        Residual res = new Residual(seq);
        Tensor x = input(9, 4, 3);
        double[] h1 = LinearTest.naive(x.toFloatArray(), a.weight().toFloatArray(), a.bias().toFloatArray(), 4, 3, 5);
        float[] t = new float[h1.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) Math.tanh(h1[i]);
        }
        double[] out = LinearTest.naive(t, b.weight().toFloatArray(), b.bias().toFloatArray(), 4, 5, 3);
        assertClose(out, seq.forward(x), "sequential");
        float[] xv = x.toFloatArray();
        for (int i = 0; i < out.length; i++) {
            out[i] += xv[i];
        }
        assertClose(out, res.forward(x), "residual");
        assertModuleGradients(res, input(10, 2, 3));
        assertGradients(in -> new Sequential(new Sigmoid()).forward(in[0]), input(11, 3).requiresGrad(true));
    }

    @Test
    void embeddingLooksUpRowsAndAccumulatesGradients() {
        Embedding emb = new Embedding(5, 3, new Rng(2));
        Tensor idx = Tensor.ofLongs(new long[] {4, 0, 4, 2, 1, 4}, 2, 3);
        Tensor y = emb.forward(idx);
        assertShape(y, 2, 3, 3);
        float[] w = emb.weight().toFloatArray();
        long[] ix = idx.toLongArray();
        double[] expected = new double[18];
        for (int i = 0; i < 6; i++) {
            for (int d = 0; d < 3; d++) {
                expected[i * 3 + d] = w[(int) ix[i] * 3 + d];
            }
        }
        assertClose(expected, y, 0, 0, "embedding rows");
        y.sum().backward();
        // row 4 was looked up three times, row 3 never
        assertClose(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 3, 3, 3}, emb.weight().grad(), 0, 0, "grad");
        assertShape(emb.forward(Tensor.ofInts(new int[] {3}, 1)), 1, 3);
        assertGradients(in -> emb.forward(idx).mul(emb.forward(idx)), emb.weight());
    }
}
