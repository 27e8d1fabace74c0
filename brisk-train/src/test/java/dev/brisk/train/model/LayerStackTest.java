package dev.brisk.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.AvgPool2d;
import dev.brisk.nn.BatchNorm1d;
import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.LayerNorm;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerStackTest {

    static Module build(String layers, int[] shape) {
        TrainConfig c = ConfigLoader.parse("model: {layers: " + layers + "}", "t.yaml", List.of());
        return ModelPresets.build(c.model(), shape, 10, new Rng(5));
    }

    @Test
    void infersInputSizesFromTheDataShape() {
        Sequential m = (Sequential) build("[{conv2d: {out: 8, kernel: 5, stride: 2, padding: 2}}, batchnorm, relu,"
                + " {avgpool: {kernel: 3, stride: 1}}, flatten, {dropout: 0.5}, {linear: 20}, batchnorm, layernorm,"
                + " tanh, {linear: {out: 4, bias: false}}]", new int[] {3, 16, 16});
        // 16x16 -> conv k5 s2 p2 -> 8x8 -> avgpool k3 s1 -> 6x6 -> flatten 8·6·6 = 288
        Conv2d conv = assertInstanceOf(Conv2d.class, m.get(0));
        assertEquals(3, conv.config().inChannels());
        assertEquals(8, assertInstanceOf(BatchNorm2d.class, m.get(1)).config().numFeatures());
        assertInstanceOf(AvgPool2d.class, m.get(3));
        assertInstanceOf(Dropout.class, m.get(5));
        assertEquals(288, assertInstanceOf(Linear.class, m.get(6)).inFeatures());
        assertEquals(20, assertInstanceOf(BatchNorm1d.class, m.get(7)).config().numFeatures());
        assertInstanceOf(LayerNorm.class, m.get(8));
        Linear last = assertInstanceOf(Linear.class, m.get(10));
        assertEquals(20, last.inFeatures());
        assertEquals(null, last.bias());
        assertArrayEquals(new int[] {2, 4}, m.forward(Tensor.randn(new Rng(1), 2, 3, 16, 16)).shape());
        assertArrayEquals(new int[] {4}, LayerStack.outputShape(List.of(), new int[] {4}));
    }

    @Test
    void aLayerThatDoesNotFitNamesItselfAndTheShape() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> build("[{conv2d: 4}, {linear: 10}]", new int[] {1, 28, 28}));
        assertEquals("model.layers[1].linear", e.key());
        assertTrue(e.problem().contains("(4, 26, 26)") && e.problem().contains("put flatten before it"),
                e.problem());
        e = assertThrows(ConfigException.class,
                () -> build("[{maxpool: 2}, {maxpool: 2}, {conv2d: {out: 4, kernel: 9}}]", new int[] {1, 28, 28}));
        assertEquals("model.layers[2].conv2d", e.key());
        assertTrue(e.problem().contains("9×9 window does not fit the input (1, 7, 7)"), e.problem());
        e = assertThrows(ConfigException.class, () -> build("[{conv2d: 4}]", new int[] {10}));
        assertEquals("model.layers[0].conv2d", e.key());
        assertTrue(e.problem().contains("(C, H, W)"), e.problem());
        e = assertThrows(ConfigException.class, () -> build("[{linear: 4}, {maxpool: 2}]", new int[] {10}));
        assertEquals("model.layers[1].maxpool", e.key());
    }
}
