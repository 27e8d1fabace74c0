package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertModuleGradients;
import static dev.brisk.nn.NnTesting.assertShape;
import static dev.brisk.nn.NnTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AttentionTest {

    /** Multi-head self-attention by its definition, from the layer's own weights. */
    static double[] naive(MultiHeadAttention mha, Tensor xt, int heads, boolean causal) {
        int b = xt.size(0), t = xt.size(1), c = xt.size(2), hs = c / heads;
        Linear qkvL = mha.qkv();
        double[] qkv = LinearTest.naive(xt.toFloatArray(), qkvL.weight().toFloatArray(), qkvL.bias().toFloatArray(),
                b * t, c, 3 * c);
        float[] att = new float[b * t * c];
        for (int n = 0; n < b; n++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] s = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    int last = causal ? i : t - 1;
                    for (int j = 0; j <= last; j++) {
                        double dot = 0;
                        for (int d = 0; d < hs; d++) {
                            dot += qkv[(n * t + i) * 3 * c + h * hs + d] * qkv[(n * t + j) * 3 * c + c + h * hs + d];
                        }
                        s[j] = dot / Math.sqrt(hs);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= last; j++) {
                        s[j] = Math.exp(s[j] - max);
                        z += s[j];
                    }
                    for (int d = 0; d < hs; d++) {
                        double acc = 0;
                        for (int j = 0; j <= last; j++) {
                            acc += s[j] / z * qkv[(n * t + j) * 3 * c + 2 * c + h * hs + d];
                        }
                        att[(n * t + i) * c + h * hs + d] = (float) acc;
                    }
                }
            }
        }
        Linear p = mha.proj();
        return LinearTest.naive(att, p.weight().toFloatArray(), p.bias().toFloatArray(), b * t, c, c);
    }

    @Test
    void forwardMatchesDefinition() {
        for (boolean causal : new boolean[] {false, true}) {
            MultiHeadAttention mha = new MultiHeadAttention(8, 2, causal, new Rng(3));
            Tensor x = input(1, 2, 5, 8);
            Tensor y = mha.forward(x);
            assertShape(y, 2, 5, 8);
            assertClose(naive(mha, x, 2, causal), y, "attention causal=" + causal);
        }
    }

    @Test
    void causalMaskNeverLetsALaterTokenChangeAnEarlierOutput() {
        MultiHeadAttention mha = new MultiHeadAttention(8, 4, true, new Rng(2));
        TransformerBlock block = new TransformerBlock(8, 2, true, new Rng(5));
        for (Module m : new Module[] {mha, block}) {
            Tensor x = input(3, 1, 6, 8);
            float[] before = m.forward(x).toFloatArray();
            for (int d = 0; d < 8; d++) {
                x.set(x.getFloat(0, 4, d) + 1.5f, 0, 4, d); // change token 4
            }
            float[] after = m.forward(x).toFloatArray();
            for (int i = 0; i < 4 * 8; i++) {
                assertEquals(before[i], after[i], 0f, m.kind() + ": output of token " + i / 8 + " changed");
            }
            boolean laterChanged = false;
            for (int i = 4 * 8; i < 6 * 8; i++) {
                laterChanged |= before[i] != after[i];
            }
            assertEquals(true, laterChanged, m.kind() + ": tokens 4.. should see the change");
        }
        // without the mask an earlier output does change
        MultiHeadAttention full = new MultiHeadAttention(8, 4, false, new Rng(2));
        Tensor x = input(3, 1, 6, 8);
        float before = full.forward(x).getFloat(0, 0, 0);
        x.set(x.getFloat(0, 4, 0) + 1.5f, 0, 4, 0);
        assertNotEquals(before, full.forward(x).getFloat(0, 0, 0));
    }

    @Test
    void transformerBlockIsPreNormResidual() {
        TransformerBlock block = new TransformerBlock(8, 2, true, new Rng(9));
        Tensor x = input(4, 2, 3, 8);
        var children = block.namedChildren();
        Tensor h = x.add(children.get("attn").forward(children.get("ln1").forward(x)));
        Tensor expected = h.add(children.get("mlp").forward(children.get("ln2").forward(h)));
        assertClose(NnTesting.toDouble(expected.toFloatArray()), block.forward(x), 1e-6, 1e-6, "block");
        // the MLP is Linear(C, 4C) → GELU → Linear(4C, C)
        assertShape(block.namedParameters().get("mlp.0.weight"), 32, 8);
        assertShape(block.namedParameters().get("mlp.2.weight"), 8, 32);
    }

    @Test
    void gradients() {
        assertModuleGradients(new MultiHeadAttention(4, 2, true, new Rng(1)), input(5, 1, 3, 4));
        assertModuleGradients(new TransformerBlock(4, 2, true, new Rng(2)), input(6, 1, 3, 4));
    }
}
