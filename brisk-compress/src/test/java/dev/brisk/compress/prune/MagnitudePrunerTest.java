package dev.brisk.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.Batch;
import dev.brisk.nn.Linear;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.ParamGroup;
import dev.brisk.optim.Precision;
import dev.brisk.optim.Sgd;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.StepResult;
import dev.brisk.train.TrainStep;
import java.util.List;
import org.junit.jupiter.api.Test;

class MagnitudePrunerTest {

    private static Sequential mlp(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(10, 8, rng), new ReLU(), new Linear(8, 4, rng));
    }

    private static int zeros(Tensor t) {
        int z = 0;
        for (float v : t.contiguous().toFloatArray()) {
            z += v == 0f ? 1 : 0;
        }
        return z;
    }

    /** max |masked| ≤ min |kept| over the given tensors (before pruning), with masks from the pruner. */
    private static void assertSmallestMasked(List<float[]> before, List<Tensor> masks) {
        float maxMasked = 0;
        float minKept = Float.POSITIVE_INFINITY;
        for (int t = 0; t < before.size(); t++) {
            float[] w = before.get(t);
            float[] m = masks.get(t).toFloatArray();
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0f) {
                    maxMasked = Math.max(maxMasked, Math.abs(w[i]));
                } else {
                    minKept = Math.min(minKept, Math.abs(w[i]));
                }
            }
        }
        assertTrue(maxMasked <= minKept, "masked " + maxMasked + " vs kept " + minKept);
    }

    @Test
    void perLayerPruningMasksTheSmallestFractionOfEachWeight() {
        Sequential m = mlp(1);
        Linear a = (Linear) m.get(0);
        Linear b = (Linear) m.get(2);
        float[] wa = a.weight().toFloatArray();
        float[] wb = b.weight().toFloatArray();
        MagnitudePruner p = new MagnitudePruner(m);
        assertEquals(List.of("0.weight", "2.weight"), List.copyOf(p.weights().keySet()), "biases are not pruned");
        p.prune(0.5, MagnitudePruner.Scope.PER_LAYER);
        assertEquals(40, zeros(a.weight()));
        assertEquals(16, zeros(b.weight()));
        assertEquals(0, zeros(a.bias()));
        assertSmallestMasked(List.of(wa), List.of(p.mask("0.weight")));
        assertSmallestMasked(List.of(wb), List.of(p.mask("2.weight")));
        assertEquals(0.5, p.sparsity(), 1e-12);
    }

    @Test
    void globalPruningTakesOneThresholdOverAllLayers() {
        Sequential m = mlp(2);
        Linear a = (Linear) m.get(0);
        Linear b = (Linear) m.get(2);
        try (var _ = GradMode.noGrad()) {
            b.weight().copyFrom(b.weight().mul(100f)); // the second layer's weights all dwarf the first's
        }
        float[] wa = a.weight().toFloatArray();
        float[] wb = b.weight().toFloatArray();
        MagnitudePruner p = new MagnitudePruner(m);
        p.prune(0.7, MagnitudePruner.Scope.GLOBAL);
        int total = 80 + 32;
        assertEquals((int) Math.floor(0.7 * total), zeros(a.weight()) + zeros(b.weight()));
        assertEquals(0, zeros(b.weight()), "the large layer keeps everything");
        assertSmallestMasked(List.of(wa, wb), List.of(p.mask("0.weight"), p.mask("2.weight")));
    }

    @Test
    void masksAreReappliedAfterEveryOptimizerStep() {
        Sequential m = mlp(3);
        MagnitudePruner p = new MagnitudePruner(m);
        p.prune(0.6, MagnitudePruner.Scope.PER_LAYER);
        Tensor mask = p.mask("0.weight");
        Optimizer opt = new Optimizer(new Sgd(0.9, 0, false), 0.5, ParamGroup.of(m.namedParameters(), 0));
        TrainStep step = new TrainStep(m, new CrossEntropyLoss(), opt, null, Precision.FP32);
        Rng rng = new Rng(4);
        Batch batch = new Batch(Tensor.randn(rng, 16, 10), Tensor.ofLongs(new long[16], 16), new int[16]);
        StepResult r = step.run(List.of(batch), 0);
        Tensor w = ((Linear) m.get(0)).weight();
        Tensor outside = mask.neg().add(1f); // 1 where masked
        assertNotEquals(80, zeros(w.mul(outside)), "the update moved some masked weights (else the test shows nothing)");
        p.afterStep(null, r);
        assertEquals(80, zeros(w.mul(outside)), "every masked weight is zero again");
        assertTrue(zeros(w) >= 48);
    }

    @Test
    void rejectsSparsityOutsideTheUnitInterval() {
        MagnitudePruner p = new MagnitudePruner(mlp(5));
        assertThrows(IllegalArgumentException.class, () -> p.prune(1.0, MagnitudePruner.Scope.GLOBAL));
        assertThrows(IllegalArgumentException.class, () -> p.prune(-0.1, MagnitudePruner.Scope.GLOBAL));
    }

    @Test
    void cubicScheduleRisesFastThenSlowly() {
        CubicSparsity s = new CubicSparsity(0.0, 0.8, 100, 200);
        assertEquals(0.0, s.at(0));
        assertEquals(0.0, s.at(100));
        assertEquals(0.8 - 0.8 * 0.125, s.at(150), 1e-12); // (1 − 1/2)³ = 1/8 of the way left
        assertEquals(0.8 - 0.8 * 0.729, s.at(110), 1e-12); // (1 − 0.1)³
        assertEquals(0.8, s.at(200));
        assertEquals(0.8, s.at(10_000));
    }

    @Test
    void gradualPruningReachesTheTargetAtTheEndStep() {
        Sequential m = mlp(6);
        GradualPruning g = new GradualPruning(new MagnitudePruner(m), new CubicSparsity(0, 0.75, 0, 10),
                MagnitudePruner.Scope.GLOBAL, 3);
        double last = 0;
        for (long t = 1; t <= 12; t++) {
            g.afterStep(null, new StepResult(t, 0, 0, false, 1, 1, 0, 0, 0, 0, 0, 0, 0));
            double s = g.pruner().sparsity();
            assertTrue(s >= last, "sparsity never falls");
            last = s;
        }
        assertEquals(Math.floor(0.75 * 112) / 112, last, 1e-12);
    }
}
