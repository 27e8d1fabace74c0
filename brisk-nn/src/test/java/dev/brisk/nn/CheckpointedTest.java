package dev.brisk.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.loss.Losses;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Checkpointed vs plain: two models built from the same seed, one wrapped; every parameter's gradient, the input's
 * gradient, the loss and the buffers must be bit-identical after each of two steps (the second step checks that the
 * dropout streams and running statistics moved on exactly as in the plain run).
 */
class CheckpointedTest {

    private static final int BATCH = 8;

    // ---- models -------------------------------------------------------------------------------------------------

    /** x (B, 16) → [Linear(16,64) → ReLU → Dropout(0.3) → Linear(64,16) → ReLU] × 2 → Linear(16, 4). */
    private static Sequential mlp() {
        Rng rng = new Rng(11);
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            layers.add(new Sequential(new Linear(16, 64, rng), new ReLU(), new Dropout(0.3f, rng.split()),
                    new Linear(64, 16, rng), new ReLU()));
        }
        layers.add(new Linear(16, 4, rng));
        return new Sequential(layers);
    }

    /** x (B, 3, 8, 8) → [conv3×3 → BN → ReLU → maxpool 2] → [conv3×3 → BN → ReLU] → flatten → Linear(128, 5). */
    private static Sequential cnn() {
        Rng rng = new Rng(12);
        return new Sequential(
                new Sequential(new Conv2d(3, 8, 3, 1, 1, rng), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2)),
                new Sequential(new Conv2d(8, 8, 3, 1, 1, rng), new BatchNorm2d(8), new ReLU()),
                new Flatten(), new Linear(8 * 4 * 4, 5, rng));
    }

    /** x (B, 6, 16) → two causal TransformerBlocks, as the blocks of a small model (a non-Sequential root). */
    private static final class TwoBlocks extends Module {
        final Sequential blocks;

        TwoBlocks() {
            Rng rng = new Rng(13);
            blocks = registerModule("blocks", new Sequential(new TransformerBlock(16, 2, true, rng),
                    new TransformerBlock(16, 2, true, rng)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return blocks.forward(x);
        }
    }

    // ---- one training step, recorded ----------------------------------------------------------------------------

    /** What a step produced: loss, grads by parameter name, input grad, buffers, saved activation bytes. */
    private record Step(float loss, Map<String, float[]> grads, float[] inputGrad, Map<String, long[]> buffers,
                        long savedBytes) {
    }

    private static Step step(Module model, Tensor xData, Function<Tensor, Tensor> lossOf) {
        model.zeroGrad();
        Tensor x = xData.detach().requiresGrad(true);
        Tensor loss = lossOf.apply(model.forward(x));
        long saved = Graph.savedActivationBytes(loss);
        loss.backward();
        Map<String, float[]> grads = new java.util.LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> grads.put(n, p.grad().toFloatArray()));
        Map<String, long[]> buffers = new java.util.LinkedHashMap<>(); // float buffers as their bit patterns
        model.namedBuffers().forEach((n, b) -> buffers.put(n, b.dtype().isFloatingPoint() ? bits(b.toFloatArray())
                : b.toLongArray()));
        return new Step(loss.item(), grads, x.grad().toFloatArray(), buffers, saved);
    }

    private static long[] bits(float[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Float.floatToRawIntBits(a[i]);
        }
        return out;
    }

    private static void assertSameStep(Step plain, Step ckpt, String what) {
        assertEquals(plain.loss(), ckpt.loss(), 0f, what + ": loss");
        assertEquals(plain.grads().keySet(), ckpt.grads().keySet(), what + ": parameter names");
        plain.grads().forEach((n, g) -> assertArrayEquals(g, ckpt.grads().get(n), what + ": grad of " + n));
        assertArrayEquals(plain.inputGrad(), ckpt.inputGrad(), what + ": grad of the input");
        assertEquals(plain.buffers().keySet(), ckpt.buffers().keySet(), what + ": buffer names");
        plain.buffers().forEach((n, b) -> assertArrayEquals(b, ckpt.buffers().get(n), what + ": buffer " + n));
    }

    /** Runs two steps on a plain and a checkpointed copy; returns {plain step 1, checkpointed step 1}. */
    private static Step[] compare(Supplier<? extends Module> build, String policy, List<String> expectWrapped,
                                  Tensor x, Function<Tensor, Tensor> lossOf) {
        Module plain = build.get();
        Module ckpt = build.get();
        assertEquals(expectWrapped, Checkpointing.apply(ckpt, CheckpointPolicy.parse(policy)));
        Step p1 = step(plain, x, lossOf);
        Step c1 = step(ckpt, x, lossOf);
        assertSameStep(p1, c1, "step 1");
        assertSameStep(step(plain, x, lossOf), step(ckpt, x, lossOf), "step 2");
        return new Step[] {p1, c1};
    }

    private static Tensor sumOfSquares(Tensor y) {
        return y.mul(y).mean();
    }

    // ---- gradients identical -------------------------------------------------------------------------------------

    @Test
    void mlpWithDropoutHasIdenticalGradientsAndKeepsOnlyBlockInputs() {
        Tensor x = NnTesting.input(1, BATCH, 16);
        Step[] s = compare(CheckpointedTest::mlp, "blocks", List.of("0", "1", "2"), x,
                CheckpointedTest::sumOfSquares);
        // checkpointed: each wrapped block keeps only its input (B, 16) F32; the loss keeps the head's output (B, 4)
        // (mul saves both operands: one storage)
        long bound = 3L * BATCH * 16 * 4 + BATCH * 4 * 4;
        assertTrue(s[1].savedBytes() <= bound, "checkpointed saved " + s[1].savedBytes() + " > bound " + bound);
        // plain: every (B, 64) hidden activation is kept several times over
        assertTrue(s[0].savedBytes() >= 4 * s[1].savedBytes(), "plain " + s[0].savedBytes() + " vs checkpointed "
                + s[1].savedBytes());
    }

    @Test
    void cnnWithBatchNormHasIdenticalGradientsAndUpdatesRunningStatsOnce() {
        Tensor x = NnTesting.input(2, BATCH, 3, 8, 8);
        Tensor target = Tensor.ofLongs(new long[] {0, 1, 2, 3, 4, 0, 1, 2}, BATCH);
        Function<Tensor, Tensor> ce = logits -> Losses.crossEntropy(logits, target);
        Sequential ckpt = cnn();
        Checkpointing.apply(ckpt, CheckpointPolicy.parse("every:1"));
        Step c = step(ckpt, x, ce);
        assertEquals(1L, c.buffers().get("0.1.num_batches_tracked")[0], "one update per forward, not two");
        compare(CheckpointedTest::cnn, "every:1", List.of("0", "1", "2", "3"), x, ce);
    }

    @Test
    void transformerBlocksHaveIdenticalGradients() {
        Tensor x = NnTesting.input(3, 2, 6, 16);
        Step[] s = compare(TwoBlocks::new, "blocks", List.of("blocks.0", "blocks.1"), x,
                CheckpointedTest::sumOfSquares);
        long blockInput = 2L * 6 * 16 * 4;
        long bound = 3 * blockInput; // two block inputs + the output the loss keeps
        assertTrue(s[1].savedBytes() <= bound, "checkpointed saved " + s[1].savedBytes() + " > bound " + bound);
        assertTrue(s[0].savedBytes() >= 8 * s[1].savedBytes(), "plain " + s[0].savedBytes() + " vs checkpointed "
                + s[1].savedBytes());
    }

    @Test
    void everySecondBlockIsIdenticalToo() {
        Tensor x = NnTesting.input(4, BATCH, 16);
        compare(CheckpointedTest::mlp, "every:2", List.of("1"), x, CheckpointedTest::sumOfSquares);
    }

    /** The MLP applied twice in one step: {@code f(x) + f(−x)}, so a block's buffers move on between its forward and
     * its recompute; the recompute must leave them where the second forward put them. */
    private static final class Twice extends Module {
        final Sequential blocks = registerModule("blocks", mlp());

        @Override
        public Tensor forward(Tensor x) {
            return blocks.forward(x).add(blocks.forward(x.mul(-1f)));
        }
    }

    @Test
    void twoForwardsBeforeOneBackwardKeepTheDropoutStreamsInStep() {
        Tensor x = NnTesting.input(5, BATCH, 16);
        compare(Twice::new, "blocks", List.of("blocks.0", "blocks.1", "blocks.2"), x, CheckpointedTest::sumOfSquares);
    }

    // ---- names, modes, hooks --------------------------------------------------------------------------------------

    @Test
    void stateDictNamesAndModulesAreThoseOfThePlainModel() {
        TwoBlocks plain = new TwoBlocks();
        TwoBlocks ckpt = new TwoBlocks();
        Checkpointing.apply(ckpt, CheckpointPolicy.parse("blocks"));
        assertInstanceOf(Checkpointed.class, ckpt.blocks.get(0));
        assertEquals(List.copyOf(plain.stateDict().keySet()), List.copyOf(ckpt.stateDict().keySet()));
        assertEquals(List.copyOf(plain.namedModules().keySet()), List.copyOf(ckpt.namedModules().keySet()));
        assertTrue(ckpt.stateDict().containsKey("blocks.0.attn.qkv.weight"));
        // a plain checkpoint loads strictly into the checkpointed model and the other way round
        Sequential mlp = mlp();
        Sequential other = mlp();
        Checkpointing.apply(other, CheckpointPolicy.parse("blocks"));
        try (var _ = GradMode.noGrad()) {
            mlp.parameters().forEach(p -> p.copyFrom(p.mul(2f)));
        }
        other.loadStateDict(mlp.stateDict(), true);
        mlp.loadStateDict(other.stateDict(), true);
        mlp.namedParameters().forEach((n, p) -> assertArrayEquals(p.toFloatArray(),
                other.stateDict().get(n).toFloatArray(), n));
        assertTrue(other.toString().contains("Checkpointed("), other.toString());
        // eval() reaches modules under a wrapper: dropout becomes the identity
        other.eval();
        assertTrue(!((Sequential) ((Checkpointed) other.get(0)).module()).get(2).isTraining());
        assertTrue(!other.get(0).isTraining());
    }

    @Test
    void gradReadyHooksFireOncePerParameterWithTheFinalGradient() {
        // the same Linear inside a checkpointed block and again outside it: its hook must wait for both uses
        Rng rng = new Rng(5);
        Linear shared = new Linear(8, 8, rng);
        Linear plainShared = new Linear(8, 8, new Rng(5));
        Sequential ckpt = new Sequential(new Checkpointed(new Sequential(shared, new Tanh())), shared);
        Sequential plain = new Sequential(new Sequential(plainShared, new Tanh()), plainShared);
        Map<Tensor, List<float[]>> fired = new IdentityHashMap<>();
        for (Tensor p : ckpt.parameters()) {
            fired.put(p, new ArrayList<>());
            p.registerGradReadyHook(t -> fired.get(t).add(t.grad().toFloatArray()));
        }
        Tensor x = NnTesting.input(6, 4, 8);
        sumOfSquares(ckpt.forward(x)).backward();
        sumOfSquares(plain.forward(x)).backward();
        for (Tensor p : ckpt.parameters()) {
            assertEquals(1, fired.get(p).size(), "hook calls");
            assertArrayEquals(p.grad().toFloatArray(), fired.get(p).get(0), "the gradient was final at the hook");
        }
        assertArrayEquals(plainShared.weight().grad().toFloatArray(), shared.weight().grad().toFloatArray());
        assertArrayEquals(plainShared.bias().grad().toFloatArray(), shared.bias().grad().toFloatArray());
    }

    @Test
    void noGradForwardRecordsNothingAndMatchesThePlainOutput() {
        Sequential plain = mlp();
        plain.eval();
        Sequential ckpt = mlp();
        Checkpointing.apply(ckpt, CheckpointPolicy.parse("blocks"));
        ckpt.eval();
        Tensor x = NnTesting.input(7, BATCH, 16);
        try (var _ = GradMode.noGrad()) {
            Tensor y = ckpt.forward(x);
            assertTrue(y.isLeaf() && !y.requiresGrad());
            assertArrayEquals(plain.forward(x).toFloatArray(), y.toFloatArray());
        }
    }

    @Test
    void aModuleThatChangesShapeOnRecomputeFailsLoudly() {
        Module flaky = new Module() {
            private int calls;

            @Override
            public Tensor forward(Tensor x) {
                return calls++ == 0 ? x.mul(2f) : x.narrow(0, 0, 1).mul(2f);
            }
        };
        Tensor x = NnTesting.input(8, 3, 4).requiresGrad(true);
        Tensor y = new Checkpointed(flaky).forward(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("recomputed output"), e.getMessage());
    }

    @Test
    void lastRecomputeBytesReportsTheBlocksGraph() {
        Sequential block = new Sequential(new Linear(16, 64, new Rng(1)), new ReLU(), new Linear(64, 16, new Rng(2)));
        Checkpointed c = new Checkpointed(block);
        Tensor x = NnTesting.input(9, BATCH, 16).requiresGrad(true);
        Tensor y = c.forward(x);
        assertEquals(0, c.lastRecomputeBytes());
        y.sum().backward();
        assertNotNull(x.grad());
        // recomputed graph: at least the hidden (B, 64) the second Linear reads (the block input is a leaf there and
        // is already counted by the outer graph)
        assertTrue(c.lastRecomputeBytes() >= (long) BATCH * 64 * 4, "" + c.lastRecomputeBytes());
    }

    // ---- policy ---------------------------------------------------------------------------------------------------

    @Test
    void policyParsing() {
        assertInstanceOf(CheckpointPolicy.None.class, CheckpointPolicy.parse("none"));
        assertInstanceOf(CheckpointPolicy.Blocks.class, CheckpointPolicy.parse(" blocks "));
        assertEquals(new CheckpointPolicy.Every(3), CheckpointPolicy.parse("every:3"));
        assertEquals("every:3", CheckpointPolicy.parse("every:3").toString());
        for (String bad : new String[] {"", "all", "every", "every:", "every:x", "every:2.5", "Blocks"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckpointPolicy.parse(bad), bad);
            assertTrue(e.getMessage().contains("every:<k>"), e.getMessage());
        }
        for (String bad : new String[] {"every:0", "every:-2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckpointPolicy.parse(bad), bad);
            assertTrue(e.getMessage().contains("k ≥ 1"), e.getMessage());
        }
    }

    @Test
    void applySelectsEveryKthBlockOnceAndNamesTheFix() {
        Sequential s = new Sequential(new ReLU(), new ReLU(), new ReLU(), new ReLU(), new ReLU());
        assertEquals(List.of("1", "3"), Checkpointing.apply(s, new CheckpointPolicy.Every(2)));
        assertEquals(List.of("0", "2", "4"), Checkpointing.apply(s, new CheckpointPolicy.Blocks()),
                "already-wrapped blocks are left alone");
        assertEquals(List.of(), Checkpointing.apply(s, new CheckpointPolicy.Blocks()));
        Module noBlocks = new Module() {
            final Linear l = registerModule("l", new Linear(2, 2, new Rng(1)));

            @Override
            public Tensor forward(Tensor x) {
                return l.forward(x);
            }
        };
        assertEquals(List.of(), Checkpointing.apply(noBlocks, new CheckpointPolicy.None()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpointing.apply(noBlocks, new CheckpointPolicy.Blocks()));
        assertTrue(e.getMessage().contains("Checkpointing.apply(Sequential"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Checkpointed(new Checkpointed(new ReLU())));
    }
}
