package dev.brisk.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.MultiHeadAttention;
import dev.brisk.nn.Residual;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.ModelConfig;
import dev.brisk.train.config.ModelConfig.Kind;
import dev.brisk.train.config.TransformerConfig;
import org.junit.jupiter.api.Test;

class ModelFlopsTest {

    static final int[] MNIST = {1, 28, 28};

    static long flops(Kind kind) {
        Module m = ModelPresets.build(ModelConfig.preset(kind), MNIST, 10, new Rng(1));
        return ModelFlops.forwardFlopsPerSample(m, MNIST);
    }

    @Test
    void mlpIsAbout4MflopPerTrainedSample() {
        long forward = 2L * (784 * 512 + 512 * 512 + 512 * 10);
        assertEquals(1_337_344, forward);
        assertEquals(forward, flops(Kind.MLP));
        Module m = ModelPresets.build(ModelConfig.preset(Kind.MLP), MNIST, 10, new Rng(1));
        assertEquals(4.012e6, ModelFlops.trainingFlopsPerSample(m, MNIST), 1e3);
    }

    @Test
    void convolutionsCountEveryOutputPixel() {
        // cnn: conv1 26·26 outputs × 32 × (1·3·3); conv2 11·11 × 64 × (32·3·3); FC 1600·128 and 128·10
        long cnn = 2L * (26 * 26 * 32 * 9 + 11 * 11 * 64 * 32 * 9 + 1600 * 128 + 128 * 10);
        assertEquals(cnn, flops(Kind.CNN));
        // cnn-bn: same-padded convs at 28², 14² and 7²; FC 3136·128 and 128·10
        long cnnBn = 2L * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 7 * 7 * 64 * 64 * 9 + 3136 * 128 + 128 * 10);
        assertEquals(12_094_976, cnnBn);
        assertEquals(cnnBn, flops(Kind.CNN_BN));
    }

    @Test
    void byteLmCountsProjectionsAttentionAndHead() {
        TransformerConfig c = TransformerConfig.defaults();
        long t = 64, d = 128;
        long perTokenPerBlock = 2 * d * 3 * d + 2 * t * d + 2 * t * d + 2 * d * d + 2 * (2 * d * 4 * d);
        long expected = t * (2 * perTokenPerBlock + 2 * d * 256);
        assertEquals(58_720_256, expected);
        assertEquals(expected, ModelFlops.byteLm(c, 64));
        ByteLm lm = new ByteLm(c, new Rng(1));
        assertEquals(expected, ModelFlops.forwardFlopsPerSample(lm, new int[] {64}));
    }

    @Test
    void blocksAreTracedThroughTheirParts() {
        int t = 8, d = 16;
        long attention = ModelFlops.attentionFlops(t, d);
        assertEquals(2L * t * d * 3 * d + 4L * t * t * d + 2L * t * d * d, attention);
        long mlp = 2L * t * (d * 4 * d) * 2;
        assertEquals(attention + mlp, ModelFlops.forwardFlopsPerSample(new TransformerBlock(d, 2, true, new Rng(1)),
                new int[] {t, d}));
        assertEquals(attention + mlp, ModelFlops.forwardFlopsPerSample(new TransformerBlock(d, 2, true, 4, 0.1, new Rng(1)),
                new int[] {t, d}));
        Module residual = new Sequential(new Residual(new MultiHeadAttention(d, 4, false, new Rng(1))),
                new Linear(d, 3, new Rng(2)));
        assertEquals(attention + 2L * t * d * 3, ModelFlops.forwardFlopsPerSample(residual, new int[] {t, d}));
    }

    @Test
    void restoresTrainingModesAndRefusesOpaqueContainers() {
        Module m = ModelPresets.build(ModelConfig.preset(Kind.CNN_BN), MNIST, 10, new Rng(1));
        float[] runningMean = m.namedBuffers().get("1.running_mean").toFloatArray();
        ModelFlops.forwardFlopsPerSample(m, MNIST);
        assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
        assertEquals(java.util.Arrays.toString(runningMean),
                java.util.Arrays.toString(m.namedBuffers().get("1.running_mean").toFloatArray()));
        m.eval();
        ModelFlops.forwardFlopsPerSample(m, MNIST);
        assertFalse(m.isTraining());

        Module opaque = new Module() {
            final Linear inner = registerModule("inner", new Linear(4, 4, new Rng(1)));

            @Override
            public Tensor forward(Tensor x) {
                return inner.forward(inner.forward(x));
            }
        };
        assertThrows(IllegalArgumentException.class, () -> ModelFlops.forwardFlopsPerSample(opaque, new int[] {4}));
    }
}
