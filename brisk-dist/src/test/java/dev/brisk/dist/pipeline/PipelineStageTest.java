package dev.brisk.dist.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Ranks;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.Tanh;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.nn.loss.Losses;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Sgd;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * A pipelined model against the same model unsplit, on the same batch: the gradients (and the weights after an
 * SGD step) agree for 2 and 4 stages and both schedules; an inf on one stage makes every stage skip.
 */
class PipelineStageTest {

    private static final int BATCH = 16;
    private static final int MICRO = 4;
    private static final double LR = 0.1;

    static Sequential mlp(long seed) {
        Rng rng = new Rng(seed);
        List<Module> layers = new ArrayList<>();
        int[] widths = {6, 12, 10, 12, 8, 5};
        for (int i = 0; i + 1 < widths.length; i++) {
            layers.add(new Linear(widths[i], widths[i + 1], rng));
            if (i + 2 < widths.length) {
                layers.add(new Tanh());
            }
        }
        return new Sequential(layers);
    }

    static Sequential transformer(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new TransformerBlock(8, 2, true, rng), new TransformerBlock(8, 2, true, rng),
                new TransformerBlock(8, 2, true, rng), new TransformerBlock(8, 2, true, rng));
    }

    /** Gradients and post-step weights, by parameter name of the whole model. */
    record Outcome(Map<String, float[]> grads, Map<String, float[]> weights, double loss) {
    }

    static Outcome reference(Sequential model, Tensor x, Tensor y) {
        Tensor loss = Losses.mse(model.forward(x), y);
        loss.backward();
        Map<String, float[]> grads = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> grads.put(n, p.grad().toFloatArray()));
        Optimizer.of(Sgd.plain(), LR, model.namedParameters(), 0).step();
        Map<String, float[]> weights = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> weights.put(n, p.toFloatArray()));
        return new Outcome(grads, weights, loss.item());
    }

    static Outcome pipelined(Ranks.Impl impl, Sequential model, StagePartition part, PipelineSchedule sched,
                             Tensor x, Tensor y, Duration timeout) {
        int p = part.stages();
        List<ProcessGroup> groups = Ranks.groups(impl, p, timeout);
        Map<String, float[]> grads = new LinkedHashMap<>();
        List<Object> results = Ranks.run(p, r -> {
            try (ProcessGroup g = groups.get(r)) {
                Sequential stage = part.stage(model, r);
                PipelineStage ps = new PipelineStage(g, stage, sched, MICRO, Losses::mse);
                ps.runSchedule(r == 0 ? x : null, r == p - 1 ? y : null, 1f);
                Map<String, float[]> mine = new LinkedHashMap<>();
                stage.namedParameters().forEach((n, t) -> mine.put(n, t.grad().toFloatArray()));
                StepReport rep = ps.finishStep(1f, () -> Optimizer.of(Sgd.plain(), LR, stage.namedParameters(), 0)
                        .step());
                return List.of(mine, rep);
            }
        }, 60);
        double loss = Double.NaN;
        for (int r = 0; r < p; r++) {
            Object o = results.get(r);
            if (o instanceof Throwable t) {
                throw new AssertionError("stage " + r + " failed", t);
            }
            @SuppressWarnings("unchecked")
            Map<String, float[]> mine = (Map<String, float[]>) ((List<?>) o).get(0);
            StepReport rep = (StepReport) ((List<?>) o).get(1);
            int offset = part.start(r);
            // stage-local names "i.weight" -> model names "(offset+i).weight"
            mine.forEach((n, v) -> {
                int dot = n.indexOf('.');
                grads.put((Integer.parseInt(n.substring(0, dot)) + offset) + n.substring(dot), v);
            });
            assertFalse(rep.skipped());
            int expectedHeld = sched == PipelineSchedule.GPIPE ? MICRO : Math.min(p - r, MICRO);
            assertEquals(expectedHeld, rep.peakInFlight(), "stage " + r);
            assertTrue(rep.peakActivationBytes() > 0);
            loss = rep.loss();
        }
        Map<String, float[]> weights = new LinkedHashMap<>();
        model.namedParameters().forEach((n, t) -> weights.put(n, t.toFloatArray()));
        return new Outcome(grads, weights, loss);
    }

    static void check(LongFunction<Sequential> build, int[] shapeX, int[] shapeY, Ranks.Impl impl, int[] starts,
                      PipelineSchedule sched) {
        check(build, shapeX, shapeY, impl, starts, sched, Duration.ofSeconds(30));
    }

    static void check(LongFunction<Sequential> build, int[] shapeX, int[] shapeY, Ranks.Impl impl, int[] starts,
                      PipelineSchedule sched, Duration timeout) {
        Rng data = new Rng(99);
        Tensor x = Tensor.randn(data, shapeX);
        Tensor y = Tensor.randn(data, shapeY);
        Outcome ref = reference(build.apply(7), x, y);
        Sequential model = build.apply(7);
        Outcome got = pipelined(impl, model, new StagePartition(model.size(), starts), sched, x, y, timeout);
        assertEquals(ref.loss(), got.loss(), 1e-5);
        assertEquals(ref.grads().keySet(), got.grads().keySet());
        ref.grads().forEach((n, v) -> assertClose(v, got.grads().get(n), "grad " + n));
        ref.weights().forEach((n, v) -> assertClose(v, got.weights().get(n), "weight " + n));
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > 1e-5 + 1e-4 * Math.abs(want[i])) {
                fail(what + "[" + i + "]: expected " + want[i] + ", got " + got[i]);
            }
        }
    }

    @Test
    void twoAndFourStagesMatchTheUnsplitModelForBothSchedules() {
        for (PipelineSchedule sched : PipelineSchedule.values()) {
            check(PipelineStageTest::mlp, new int[] {BATCH, 6}, new int[] {BATCH, 5}, Ranks.Impl.THREAD,
                    new int[] {0, 5}, sched);
            check(PipelineStageTest::mlp, new int[] {BATCH, 6}, new int[] {BATCH, 5}, Ranks.Impl.THREAD,
                    new int[] {0, 2, 5, 7}, sched);
        }
    }

    @Test
    void transformerBlocksOverTcpMatchTheUnsplitModel() {
        check(PipelineStageTest::transformer, new int[] {8, 4, 8}, new int[] {8, 4, 8}, Ranks.Impl.TCP,
                new int[] {0, 2}, PipelineSchedule.ONE_F_ONE_B);
        check(PipelineStageTest::transformer, new int[] {8, 4, 8}, new int[] {8, 4, 8}, Ranks.Impl.THREAD,
                new int[] {0, 1, 2, 3}, PipelineSchedule.GPIPE);
    }

    /** Two layers whose activation between them is {@code WIDE} floats per row. */
    static Sequential wide(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(4, WIDE, rng), new Tanh(), new Linear(WIDE, 3, rng));
    }

    private static final int WIDE = 4096;

    /**
     * 1F1B over TCP with 16 MiB activations per micro-batch (1024 rows × 4096 floats): in the steady state stage 0
     * sends the next activation while stage 1 sends a gradient back, each far more than the peer's read buffers
     * and the socket buffers hold. A send that waited for the peer to read would block both stages until the
     * (short) group timeout.
     */
    @Test
    void oneFOneBOverTcpWithMegabyteActivationsDoesNotDeadlock() {
        check(PipelineStageTest::wide, new int[] {MICRO * 1024, 4}, new int[] {MICRO * 1024, 3}, Ranks.Impl.TCP,
                new int[] {0, 2}, PipelineSchedule.ONE_F_ONE_B, Duration.ofSeconds(10));
    }

    @Test
    void anInfOnOneStageSkipsTheStepOnAll() {
        Sequential model = mlp(3);
        StagePartition part = new StagePartition(model.size(), new int[] {0, 2, 5, 7});
        Map<String, float[]> before = new LinkedHashMap<>();
        model.namedParameters().forEach((n, t) -> before.put(n, t.toFloatArray()));
        Rng data = new Rng(5);
        Tensor x = Tensor.randn(data, BATCH, 6);
        Tensor y = Tensor.randn(data, BATCH, 5);
        List<ProcessGroup> groups = Ranks.groups(Ranks.Impl.THREAD, 4, Duration.ofSeconds(30));
        List<Object> results = Ranks.run(4, r -> {
            try (ProcessGroup g = groups.get(r)) {
                Sequential stage = part.stage(model, r);
                PipelineStage ps = new PipelineStage(g, stage, PipelineSchedule.ONE_F_ONE_B, MICRO, Losses::mse);
                ps.runSchedule(r == 0 ? x : null, r == 3 ? y : null, 1024f);
                if (r == 2) {
                    // an fp16-style overflow in this stage's gradients only
                    Tensor w = stage.parameters().get(0);
                    float[] gv = w.grad().toFloatArray();
                    gv[0] = Float.POSITIVE_INFINITY;
                    w.setGrad(Tensor.of(gv, w.shape()));
                }
                return ps.finishStep(1024f, () -> Optimizer.of(Sgd.plain(), LR, stage.namedParameters(), 0).step());
            }
        }, 60);
        for (int r = 0; r < 4; r++) {
            if (results.get(r) instanceof Throwable t) {
                throw new AssertionError(t);
            }
            StepReport rep = (StepReport) results.get(r);
            assertTrue(rep.skipped(), "stage " + r + " stepped");
            assertEquals(r == 2, rep.nonFiniteHere());
        }
        model.namedParameters().forEach((n, t) -> assertClose(before.get(n), t.toFloatArray(), n));
    }
}
