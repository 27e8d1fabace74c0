package dev.brisk.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.TransformerBlock;
import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ModelConfig;
import dev.brisk.train.config.ModelConfig.Kind;
import dev.brisk.train.config.TransformerConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelPresetsTest {

    static final int[] MNIST = {1, 28, 28};

    static Module preset(Kind kind, int[] shape) {
        return ModelPresets.build(ModelConfig.preset(kind), shape, 10, new Rng(42));
    }

    static Tensor images(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return Tensor.randn(new Rng(3), s);
    }

    @Test
    void mlpIs784x512x512x10() {
        Module m = preset(Kind.MLP, MNIST);
        long expected = (784 * 512 + 512) + (512 * 512 + 512) + (512 * 10 + 10);
        assertEquals(669_706, expected);
        assertEquals(expected, m.numParameters());
        assertArrayEquals(new int[] {3, 10}, m.forward(images(3, MNIST)).shape());
        // on feature vectors (CSV) the flatten is a no-op and in_features follows the data
        Module tabular = ModelPresets.build(ModelConfig.preset(Kind.MLP), new int[] {4}, 3, new Rng(1));
        assertEquals((4 * 512 + 512) + (512 * 512 + 512) + (512 * 3 + 3), tabular.numParameters());
    }

    @Test
    void cnnMatchesTheBenchmarkDefinition() {
        Module m = preset(Kind.CNN, MNIST);
        long expected = (32 * 9 + 32) + (64 * 32 * 9 + 64) + (1600 * 128 + 128) + (128 * 10 + 10);
        assertEquals(225_034, expected);
        assertEquals(expected, m.numParameters());
        assertArrayEquals(new int[] {2, 10}, m.forward(images(2, MNIST)).shape());
        assertArrayEquals(new int[] {1600}, LayerStack.outputShape(ModelPresets.layers(Kind.CNN, 10).subList(0, 7),
                MNIST), "flatten 64·5·5");
    }

    @Test
    void cnnBnHasBatchNormAfterEveryConvAndNoConvBias() {
        Module m = preset(Kind.CNN_BN, MNIST);
        long convs = 32 * 9 + 64 * 32 * 9 + 64 * 64 * 9;          // bias-free: batch norm supplies the shift
        long norms = 2 * (32 + 64 + 64);
        long fc = (64 * 7 * 7 * 128 + 128) + (128 * 10 + 10);
        assertEquals(458_730, convs + norms + fc);
        assertEquals(convs + norms + fc, m.numParameters());
        assertEquals(3, m.namedModules().values().stream().filter(x -> x instanceof BatchNorm2d).count());
        assertTrue(m.namedParameters().keySet().stream().noneMatch(n -> n.equals("0.bias")), "conv has no bias");
        Tensor y = m.forward(images(4, MNIST));              // training mode: batch statistics
        assertArrayEquals(new int[] {4, 10}, y.shape());
        m.eval();
        assertArrayEquals(new int[] {1, 10}, m.forward(images(1, MNIST)).shape());
        // CIFAR-10: 3 channels, 32x32 -> 8x8 after two pools
        Module cifar = preset(Kind.CNN_BN, new int[] {3, 32, 32});
        assertEquals(convs + 2 * 32 * 9 + norms + (64 * 8 * 8 * 128 + 128) + 1290, cifar.numParameters());
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        Module a = preset(Kind.CNN_BN, MNIST);
        Module b = preset(Kind.CNN_BN, MNIST);
        Module c = ModelPresets.build(ModelConfig.preset(Kind.CNN_BN), MNIST, 10, new Rng(7));
        assertArrayEquals(a.parameters().getFirst().toFloatArray(), b.parameters().getFirst().toFloatArray());
        assertNotEquals(Arrays.toString(a.parameters().getFirst().toFloatArray()),
                Arrays.toString(c.parameters().getFirst().toFloatArray()));
    }

    @Test
    void imagePresetsRefuseFeatureVectors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ModelPresets.build(ModelConfig.preset(Kind.CNN), new int[] {4}, 3, new Rng(1)));
        assertEquals("model", e.key());
        assertTrue(e.problem().contains("use model: mlp"), e.problem());
        e = assertThrows(ConfigException.class, () -> preset(Kind.CNN, new int[] {1, 5, 5}));
        assertTrue(e.key().startsWith("model (preset cnn, layer 3).conv2d"), e.key());
    }

    @Test
    void byteLmMatchesTheBenchmarkShape() {
        TransformerConfig cfg = TransformerConfig.defaults();
        Module m = ModelPresets.build(ModelConfig.transformer(cfg), new int[] {64}, 0, new Rng(42));
        ByteLm lm = assertInstanceOf(ByteLm.class, m);
        long c = 128;
        long block = 2 * (2 * c) + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
        long expected = 256 * c + 64 * c + 2 * block + 2 * c + c * 256;
        assertEquals(470_528, expected);
        assertEquals(expected, lm.numParameters());
        Tensor tokens = Tensor.ofLongs(new long[] {1, 2, 3, 255, 0, 9, 8, 7}, 2, 4);
        assertArrayEquals(new int[] {2, 4, 256}, lm.forward(tokens).shape());
        assertEquals(2, lm.blocks().size());
        assertTrue(lm.namedParameters().containsKey("blocks.1.attn.qkv.weight"));
        // GPT-2 initialisation: N(0, 0.02) embeddings, zero biases
        float[] emb = lm.tokenEmbedding().weight().toFloatArray();
        double sd = Math.sqrt(Arrays.stream(toDoubles(emb)).map(v -> v * v).sum() / emb.length);
        assertEquals(0.02, sd, 0.002);
        assertTrue(Arrays.stream(toDoubles(lm.namedParameters().get("blocks.0.attn.qkv.bias").toFloatArray()))
                .allMatch(v -> v == 0));
    }

    @Test
    void tiedByteLmSharesTheEmbeddingWithTheHead() {
        TransformerConfig cfg = new TransformerConfig(1, 32, 2, 16, 256, 2, true, 0.1);
        ByteLm lm = new ByteLm(cfg, new Rng(1));
        long c = 32;
        long block = 4 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * 2 * c + 2 * c) + (2 * c * c + c);
        assertEquals(256 * c + 16 * c + block + 2 * c, lm.numParameters(), "no head parameters when tied");
        Tensor tokens = Tensor.zeros(DType.I64, 3, 16);
        assertArrayEquals(new int[] {3, 16, 256}, lm.forward(tokens).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lm.forward(Tensor.zeros(DType.I64, 1, 17)));
        assertTrue(e.getMessage().contains("longer than seq_len 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lm.forward(Tensor.zeros(2, 4)));
    }

    @Test
    void configurableBlockKeepsTheDefaultBlocksNames() {
        TransformerBlock b = new TransformerBlock(16, 2, true, 4, 0, new Rng(1));
        assertEquals(new dev.brisk.nn.TransformerBlock(16, 2, true, new Rng(1)).stateDict().keySet(),
                b.stateDict().keySet());
        Tensor x = Tensor.randn(new Rng(2), 2, 5, 16);
        assertArrayEquals(x.shape(), b.forward(x).shape());
        assertInstanceOf(Sequential.class, b.mlp());
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
