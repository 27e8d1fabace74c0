package dev.brisk.nn;

import static dev.brisk.nn.NnTesting.assertThrowsWith;
import static dev.brisk.nn.NnTesting.input;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Constructor arguments and forward inputs are checked with messages that name the layer, the value and shapes. */
class ValidationTest {

    static final Rng RNG = new Rng(0);
    static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    @Test
    void constructorArguments() {
        assertThrowsWith(IAE, () -> new Linear(0, 3, RNG), "Linear: inFeatures must be positive, got 0");
        assertThrowsWith(IAE, () -> new Linear(3, -2, RNG), "Linear: outFeatures must be positive, got -2");
        assertThrowsWith(IAE, () -> new Conv2d(3, 4, 0, RNG), "Conv2d: kernel must be positive, got [0,0]");
        assertThrowsWith(IAE, () -> new Conv2d(3, 4, 3, 1, -1, RNG), "Conv2d: padding must be non-negative");
        assertThrowsWith(IAE, () -> new Conv2d.Config(4, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 4, true), "groups=4 must divide inChannels=4 and outChannels=6");
        assertThrowsWith(IAE, () -> new Conv2d.Config(4, 6, new int[] {3}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 1, true), "kernel needs 2 values (height, width), got [3]");
        assertThrowsWith(IAE, () -> new MaxPool2d(2, 2, 2), "MaxPool2d: padding [2,2] must be at most half the kernel");
        assertThrowsWith(IAE, () -> new AvgPool2d(0), "AvgPool2d: kernel must be positive");
        assertThrowsWith(IAE, () -> new AdaptiveAvgPool2d(0, 1), "AdaptiveAvgPool2d: outH must be positive, got 0");
        assertThrowsWith(IAE, () -> new BatchNormConfig(0), "BatchNorm: numFeatures must be positive, got 0");
        assertThrowsWith(IAE, () -> new BatchNormConfig(3, 1e-5f, 1.5f, true, true), "momentum must be in [0, 1]");
        assertThrowsWith(IAE, () -> new LayerNorm(new int[] {4, 0}, 1e-5f, true), "LayerNorm", "[4,0]");
        assertThrowsWith(IAE, () -> new LayerNorm(new int[] {4}, 0f, true), "LayerNorm: eps must be positive");
        assertThrowsWith(IAE, () -> new RMSNorm(0), "RMSNorm: dim must be positive, got 0");
        assertThrowsWith(IAE, () -> new Dropout(1.5f, RNG), "Dropout: p must be in [0, 1], got 1.5");
        assertThrowsWith(IAE, () -> new Embedding(0, 4, RNG), "Embedding: numEmbeddings must be positive, got 0");
        assertThrowsWith(IAE, () -> new MultiHeadAttention(10, 3, true, RNG),
                "embedDim 10 must be divisible by numHeads 3");
        assertThrowsWith(IAE, () -> new Flatten(2, 1), "startDim 2 is after endDim 1");
        assertThrowsWith(IAE, Sequential::new, "at least one module");
    }

    @Test
    void forwardInputShapes() {
        assertThrowsWith(IAE, () -> new Linear(4, 2, RNG).forward(input(1, 2, 3)),
                "Linear: expected input of shape (*, 4), got [2,3]");
        assertThrowsWith(IAE, () -> new Conv2d(3, 4, 3, RNG).forward(input(1, 2, 2, 5, 5)),
                "Conv2d: expected input of shape (N, 3, H, W) or (3, H, W), got [2,2,5,5]");
        assertThrowsWith(IAE, () -> new Conv2d(3, 4, 3, RNG).forward(input(1, 5, 5)), "Conv2d", "got [5,5]");
        assertThrowsWith(IAE, () -> new Conv2d(1, 1, 5, RNG).forward(input(1, 1, 1, 3, 8)), "Conv2d",
                "smaller than the dilated kernel 5 along height");
        assertThrowsWith(IAE, () -> new MaxPool2d(2).forward(input(1, 4, 4)),
                "MaxPool2d: expected input of shape (N, C, H, W) or (C, H, W), got [4,4]");
        assertThrowsWith(IAE, () -> new BatchNorm2d(3).forward(input(1, 2, 3, 4)),
                "BatchNorm2d: expected input of shape (N, 3, H, W), got [2,3,4]");
        assertThrowsWith(IAE, () -> new BatchNorm1d(3).forward(input(1, 2, 4)),
                "BatchNorm1d: expected input of shape (N, 3, ...), got [2,4]");
        assertThrowsWith(IAE, () -> new LayerNorm(new int[] {2, 3}, 1e-5f, true).forward(input(1, 3, 2)),
                "LayerNorm: expected input of shape (*, 2,3), got [3,2]");
        assertThrowsWith(IAE, () -> new RMSNorm(4).forward(input(1, 3)), "RMSNorm: expected input of shape (*, 4)");
        assertThrowsWith(IAE, () -> new MultiHeadAttention(4, 2, true, RNG).forward(input(1, 2, 4)),
                "MultiHeadAttention: expected input of shape (B, T, 4), got [2,4]");
        assertThrowsWith(IAE, () -> new TransformerBlock(4, 2, true, RNG).forward(input(1, 1, 2, 5)),
                "TransformerBlock: expected input of shape (B, T, 4), got [1,2,5]");
        assertThrowsWith(IAE, () -> new Embedding(3, 2, RNG).forward(input(1, 2)), "Embedding", "integer", "F32");
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> new Embedding(3, 2, RNG).forward(Tensor.ofLongs(new long[] {0, 3}, 2)),
                "Embedding: index 3 is out of range [0, 3)");
        assertThrowsWith(IAE, () -> new Softmax(2).forward(input(1, 2, 2)), "Softmax: dim 2", "[2,2]");
        assertThrowsWith(IAE, () -> new Flatten(1, 3).forward(input(1, 2, 2)), "Flatten", "[2,2]");
        assertThrowsWith(IAE, () -> new ReLU().forward(Tensor.ofLongs(new long[] {1}, 1)), "ReLU", "I64");
        assertThrowsWith(IAE, () -> new Residual(new Linear(3, 2, RNG)).forward(input(1, 2, 3)),
                "Residual: the inner Linear maps shape [2,3] to [2,2]");
    }
}
