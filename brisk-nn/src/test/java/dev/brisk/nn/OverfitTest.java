package dev.brisk.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.nn.loss.Loss;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** End to end: forward, loss, backward and plain gradient descent drive the loss on a fixed batch to ~0. */
class OverfitTest {

    /** Runs at most {@code maxSteps} of {@code w −= lr·grad}; returns the last loss. */
    static float overfit(Module model, Tensor x, Tensor y, float lr, int maxSteps, float goal) {
        Loss loss = new CrossEntropyLoss();
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < maxSteps && !(last < goal); step++) {
            model.zeroGrad();
            Tensor l = loss.apply(model.forward(x), y);
            l.backward();
            last = l.item();
            first = step == 0 ? last : first;
            try (var _ = GradMode.noGrad()) {
                for (Tensor p : model.parameters()) {
                    p.copyFrom(p.sub(p.grad().mul(lr)));
                }
            }
        }
        assertTrue(last < goal, model.kind() + ": loss went from " + first + " to " + last + ", wanted < " + goal);
        return last;
    }

    static Tensor randomLabels(long seed, int n, int classes) {
        long[] y = new long[n];
        Rng rng = new Rng(seed);
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
        }
        return Tensor.ofLongs(y, n);
    }

    @Test
    void mlpMemorisesRandomLabels() {
        Rng rng = new Rng(1);
        Sequential mlp = new Sequential(new Linear(8, 64, rng), new ReLU(), new Linear(64, 64, rng), new Tanh(),
                new Linear(64, 4, rng));
        overfit(mlp, NnTesting.input(2, 32, 8), randomLabels(3, 32, 4), 0.5f, 600, 0.02f);
    }

    @Test
    void smallCnnMemorisesRandomLabels() {
        Rng rng = new Rng(4);
        Sequential cnn = new Sequential(
                new Conv2d(1, 8, 3, 1, 1, rng), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2), // (N, 8, 4, 4)
                new Conv2d(8, 8, 3, 1, 1, rng), new ReLU(), new AdaptiveAvgPool2d(2),            // (N, 8, 2, 2)
                new Flatten(), new Linear(32, 3, rng));
        overfit(cnn, NnTesting.input(5, 16, 1, 8, 8), randomLabels(6, 16, 3), 0.2f, 600, 0.02f);
    }
}
