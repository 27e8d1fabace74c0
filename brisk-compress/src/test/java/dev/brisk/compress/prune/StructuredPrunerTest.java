package dev.brisk.compress.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.LayerSpec;
import dev.brisk.train.config.LayerSpec.Kind;
import dev.brisk.train.model.LayerStack;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StructuredPrunerTest {

    /** A small cnn-bn: conv 6 → bn → relu → pool → conv 8 → bn → relu → flatten → linear 10 → relu → linear 3. */
    static final List<LayerSpec> SPECS = List.of(
            new LayerSpec.Conv2d(6, 3, 1, 1, false), new LayerSpec.Plain(Kind.BATCHNORM),
            new LayerSpec.Plain(Kind.RELU), new LayerSpec.Pool(true, 2, 2),
            new LayerSpec.Conv2d(8, 3, 1, 1, false), new LayerSpec.Plain(Kind.BATCHNORM),
            new LayerSpec.Plain(Kind.RELU), new LayerSpec.Plain(Kind.FLATTEN), new LayerSpec.Linear(10, true),
            new LayerSpec.Plain(Kind.RELU), new LayerSpec.Linear(3, true));
    static final int[] SAMPLE = {2, 8, 8};

    static Sequential build(List<LayerSpec> specs, long seed) {
        return LayerStack.build(specs, SAMPLE, new Rng(seed), i -> "layer " + i);
    }

    /** Random running statistics and affine terms, so that batch norm pruning is visible. */
    static void randomizeNorms(Sequential m, Rng rng) {
        try (var _ = GradMode.noGrad()) {
            for (var layer : m.layers()) {
                if (layer instanceof BatchNorm2d bn) {
                    int c = bn.config().numFeatures();
                    bn.weight().copyFrom(Tensor.rand(rng, c).add(0.5f));
                    bn.bias().copyFrom(Tensor.randn(rng, c).mul(0.1f));
                    bn.runningMean().copyFrom(Tensor.randn(rng, c).mul(0.1f));
                    bn.runningVar().copyFrom(Tensor.rand(rng, c).add(0.5f));
                }
            }
        }
    }

    @Test
    void prunedStackComputesWhatTheOriginalDoesWithTheRemovedChannelsSilenced() {
        Sequential original = build(SPECS, 1);
        randomizeNorms(original, new Rng(2));
        int[] keep0 = StructuredPruner.strongest(((Conv2d) original.get(0)).weight(), 3, StructuredPruner.Norm.L1);
        // later layers are ranked by their weights over the inputs that survive, as the pruner goes layer by layer
        Tensor w4 = ((Conv2d) original.get(4)).weight().indexSelect(1, Tensor.ofInts(keep0, 3));
        int[] keep4 = StructuredPruner.strongest(w4, 4, StructuredPruner.Norm.L1);
        int[] cols = new int[4 * 16];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = keep4[i / 16] * 16 + i % 16;
        }
        Tensor w8 = ((Linear) original.get(8)).weight().indexSelect(1, Tensor.ofInts(cols, cols.length));
        int[] keep8 = StructuredPruner.strongest(w8, 5, StructuredPruner.Norm.L1);

        StructuredPruner.Result r = StructuredPruner.prune(original, SPECS, 0.5, StructuredPruner.Norm.L1);
        assertEquals(3, r.changes().size(), r.changes().toString());
        assertEquals(new LayerSpec.Conv2d(3, 3, 1, 1, false), r.specs().get(0));
        assertEquals(new LayerSpec.Conv2d(4, 3, 1, 1, false), r.specs().get(4));
        assertEquals(new LayerSpec.Linear(5, true), r.specs().get(8));
        assertEquals(new LayerSpec.Linear(3, true), r.specs().get(10), "the classifier keeps its outputs");

        // the pruned layer list rebuilds the same architecture: the weights load strictly
        Sequential rebuilt = build(r.specs(), 99);
        rebuilt.loadStateDict(r.model().stateDict(), true);
        assertTrue(rebuilt.numParameters() < original.numParameters() / 2);

        // silencing the removed channels in the original (a zero after BN/ReLU contributes nothing downstream)
        // must give exactly the pruned model's function
        try (var _ = GradMode.noGrad()) {
            silence((BatchNorm2d) original.get(1), keep0);
            silence((BatchNorm2d) original.get(5), keep4);
            Linear fc = (Linear) original.get(8);
            Tensor rowMask = keptMask(10, keep8).unsqueeze(1);
            fc.weight().copyFrom(fc.weight().mul(rowMask));
            fc.bias().copyFrom(fc.bias().mul(keptMask(10, keep8)));
        }
        original.eval();
        rebuilt.eval();
        Tensor x = Tensor.randn(new Rng(7), 4, 2, 8, 8);
        Tensor expected = original.forward(x);
        Tensor actual = rebuilt.forward(x);
        assertTrue(actual.allClose(expected, 1e-4, 1e-5),
                Arrays.toString(expected.toFloatArray()) + " vs " + Arrays.toString(actual.toFloatArray()));
    }

    @Test
    void keepsTheChannelsOfLargestNorm() {
        Tensor w = Tensor.of(new float[] {1, -1, 0.1f, 0.1f, 3, 0, -0.5f, 0.5f}, 4, 2); // L1: 2, .2, 3, 1
        assertArrayEquals(new int[] {0, 2}, StructuredPruner.strongest(w, 2, StructuredPruner.Norm.L1));
        Tensor v = Tensor.of(new float[] {1, 1, 1, 1, 1.9f, 0, 0, 0}, 4, 2); // L1 ranks row 0 first, L2 row 2
        assertArrayEquals(new int[] {2}, StructuredPruner.strongest(v, 1, StructuredPruner.Norm.L2));
        assertArrayEquals(new int[] {0}, StructuredPruner.strongest(v, 1, StructuredPruner.Norm.L1));
    }

    private static Tensor keptMask(int n, int[] keep) {
        float[] m = new float[n];
        for (int k : keep) {
            m[k] = 1f;
        }
        return Tensor.of(m, n);
    }

    private static void silence(BatchNorm2d bn, int[] keep) {
        Tensor mask = keptMask(bn.config().numFeatures(), keep);
        bn.weight().copyFrom(bn.weight().mul(mask));
        bn.bias().copyFrom(bn.bias().mul(mask));
    }
}
