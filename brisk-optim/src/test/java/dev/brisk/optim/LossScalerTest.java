package dev.brisk.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dynamic loss scaling as systems.md §6.1: golden trajectory, growth, no growth to inf, state, misuse. */
class LossScalerTest {

    private static final float[] X = {0.5f, -1.25f, 2f, 3f, -0.75f};

    private final Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5}, 5).requiresGrad(true);
    private final Optimizer opt = Optimizer.of(Sgd.momentum(0.9), 0.1, Map.of("w", w), 0);

    /** One iteration of the real recipe: scale(loss).backward(), optional injected inf, step, update. */
    private boolean iteration(LossScaler scaler, boolean injectInf) {
        opt.zeroGrad();
        Tensor loss = w.mul(Tensor.of(X, 5)).sum();
        scaler.scale(loss).backward();
        if (injectInf) {
            w.grad().storage().floats()[2] = Float.POSITIVE_INFINITY;
        }
        boolean stepped = scaler.step(opt);
        scaler.update();
        return stepped;
    }

    @Test
    void overflowSkipsTheStepHalvesTheScaleAndLeavesWeightsUntouched() {
        LossScaler scaler = LossScaler.dynamic();
        assertEquals(65536f, scaler.scale());
        assertTrue(iteration(scaler, false));
        float[] before = w.toFloatArray();
        Map<String, Tensor> stateBefore = new LinkedHashMap<>();
        opt.stateDict().forEach((k, v) -> stateBefore.put(k, v.copy()));
        assertFalse(iteration(scaler, true));
        assertTrue(scaler.lastStepSkipped());
        assertEquals(32768f, scaler.scale());
        assertEquals(0, scaler.growthTracker());
        assertArrayEquals(before, w.toFloatArray());   // bit-identical
        assertArrayEquals(stateBefore.get("w.momentum_buffer").toFloatArray(),
                opt.stateDict().get("w.momentum_buffer").toFloatArray());
        assertEquals(1, opt.stepCount("w"));
        assertTrue(iteration(scaler, false));
        assertEquals(1, scaler.growthTracker());
    }

    @Test
    void unscaleRestoresTheTrueGradient() {
        LossScaler scaler = LossScaler.dynamic();
        Tensor loss = w.mul(Tensor.of(X, 5)).sum();
        Tensor scaled = scaler.scale(loss);
        assertEquals(loss.item() * 65536f, scaled.item());
        scaled.backward();
        assertEquals(X[1] * 65536f, w.grad().getFloat(1));
        scaler.unscale(opt);
        assertArrayEquals(X, w.grad().toFloatArray());   // powers of two: exact
        GradClip.byGlobalNorm(opt.namedParameters(), 100);
        assertTrue(scaler.step(opt));
        scaler.update();
    }

    @Test
    void growsAfterTheIntervalAndResumesMidInterval() {
        LossScaler scaler = LossScaler.dynamic();
        for (int i = 0; i < 700; i++) {
            iteration(scaler, false);
        }
        Map<String, Tensor> saved = scaler.stateDict();
        LossScaler resumed = LossScaler.dynamic();
        resumed.loadStateDict(saved);
        assertEquals(700, resumed.growthTracker());
        for (LossScaler s : new LossScaler[] {scaler, resumed}) {
            for (int i = 700; i < 1999; i++) {
                iteration(s, false);
            }
            assertEquals(65536f, s.scale());
            assertEquals(1999, s.growthTracker());
            iteration(s, false);
            assertEquals(131072f, s.scale());
            assertEquals(0, s.growthTracker());
        }
    }

    @Test
    void neverGrowsToInfinity() {
        float top = 0x1p127f;
        LossScaler scaler = LossScaler.dynamic(new LossScaler.Config(top, 2, 0.5, 1, 1, 10));
        w.setGrad(Tensor.zeros(5));
        scaler.step(opt);
        scaler.update();
        assertEquals(top, scaler.scale());
        assertEquals(0, scaler.growthTracker());
    }

    @Test
    void misuseThrows() {
        LossScaler scaler = LossScaler.dynamic();
        var e = assertThrows(IllegalStateException.class, scaler::update);
        assertTrue(e.getMessage().contains("no inf checks were recorded"), e.getMessage());
        w.setGrad(Tensor.ones(5));
        scaler.unscale(opt);
        e = assertThrows(IllegalStateException.class, () -> scaler.unscale(opt));
        assertTrue(e.getMessage().contains("unscale() has already been called"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> scaler.scale(Tensor.scalar(1)));
        assertTrue(e.getMessage().contains("before update()"), e.getMessage());
        e = assertThrows(IllegalStateException.class, scaler::stateDict);
        assertTrue(e.getMessage().contains("take it after update()"), e.getMessage());
        scaler.step(opt);
        e = assertThrows(IllegalStateException.class, () -> scaler.unscale(opt));
        assertTrue(e.getMessage().contains("unscale() is being called after step()"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> scaler.step(opt));
        assertTrue(e.getMessage().contains("step() has already been called"), e.getMessage());
        scaler.update();
        scaler.stateDict();   // fine after update()
        assertThrows(IllegalArgumentException.class, () -> new LossScaler.Config(65536, 1, 0.5, 2000, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler.Config(65536, 2, 1, 2000, 1, 10));
        Map<String, Tensor> bad = new LinkedHashMap<>(scaler.stateDict());
        bad.remove("growth_tracker");
        var bad2 = assertThrows(IllegalArgumentException.class, () -> LossScaler.dynamic().loadStateDict(bad));
        assertTrue(bad2.getMessage().contains("missing 'growth_tracker'"), bad2.getMessage());
    }

    @Test
    void persistentOverflowAtTheFloorIsAnError() {
        LossScaler scaler = LossScaler.dynamic(new LossScaler.Config(4, 2, 0.5, 2000, 1, 3));
        float[] scales = new float[4];
        for (int i = 0; i < 4; i++) {
            iteration(scaler, true);
            scales[i] = scaler.scale();
        }
        assertArrayEquals(new float[] {2, 1, 1, 1}, scales);   // floor at 1; two overflows counted there
        var e = assertThrows(ArithmeticException.class, () -> iteration(scaler, true));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("iteration 5"), e.getMessage());
    }

    @Test
    void disabledScalerPassesThrough() {
        LossScaler scaler = Precision.BF16.newLossScaler();
        assertFalse(scaler.isEnabled());
        Tensor loss = Tensor.scalar(3);
        assertSame(loss, scaler.scale(loss));
        w.setGrad(Tensor.ones(5));
        assertTrue(scaler.step(opt));
        scaler.update();
        assertTrue(scaler.stateDict().isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> scaler.loadStateDict(Map.of("scale", Tensor.scalar(2))));
        assertTrue(Precision.FP16.newLossScaler().isEnabled());
    }
}
