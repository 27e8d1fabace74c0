package dev.brisk.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exact values at the boundaries: step 0, ends of warm-up and of each phase, the last step, past the end. */
class ScheduleTest {

    private static final double EXACT = 1e-15;

    private static double cosHalf(double x) {
        return 0.5 * (1 + Math.cos(Math.PI * x));
    }

    @Test
    void constantStepMultiStepExponential() {
        Schedule c = new Schedule.Constant(0.1);
        assertEquals(0.1, c.at(0));
        assertEquals(0.1, c.at(1_000_000_000L));
        Schedule s = new Schedule.StepDecay(1, 10, 0.5);
        assertEquals(1, s.at(0));
        assertEquals(1, s.at(9));
        assertEquals(0.5, s.at(10));
        assertEquals(0.25, s.at(29));
        assertEquals(0.125, s.at(30));
        Schedule m = new Schedule.MultiStep(1, List.of(3L, 7L), 0.1);
        assertEquals(1, m.at(0));
        assertEquals(1, m.at(2));
        assertEquals(0.1, m.at(3), EXACT);
        assertEquals(0.1, m.at(6), EXACT);
        assertEquals(0.01, m.at(7), EXACT);
        assertEquals(0.01, m.at(10_000), EXACT);
        Schedule e = new Schedule.Exponential(2, 0.9);
        assertEquals(2, e.at(0));
        assertEquals(2 * 0.9 * 0.9 * 0.9, e.at(3), EXACT);
    }

    @Test
    void linearPolynomialCosine() {
        Schedule l = new Schedule.Linear(1, 0.2, 100);
        assertEquals(1, l.at(0));
        assertEquals(0.6, l.at(50), EXACT);
        assertEquals(0.2, l.at(100), EXACT);
        assertEquals(0.2, l.at(1000), EXACT);
        Schedule p = new Schedule.Polynomial(1, 0.1, 10, 2);
        assertEquals(1, p.at(0));
        assertEquals(0.9 * 0.25 + 0.1, p.at(5), EXACT);
        assertEquals(0.1, p.at(10), EXACT);
        assertEquals(0.1, p.at(11), EXACT);
        Schedule c = new Schedule.Cosine(1, 0.1, 100);
        assertEquals(1, c.at(0));
        assertEquals(0.55, c.at(50), EXACT);
        assertEquals(0.1 + 0.9 * cosHalf(0.99), c.at(99), EXACT);
        assertEquals(0.1, c.at(100));
        assertEquals(0.1, c.at(150));
    }

    @Test
    void cosineWithWarmRestarts() {
        Schedule r = new Schedule.CosineRestarts(1, 0, 10, 2);     // cycles [0,10) [10,30) [30,70) ...
        assertEquals(1, r.at(0));
        assertEquals(0.5, r.at(5), EXACT);
        assertEquals(cosHalf(0.9), r.at(9), EXACT);
        assertEquals(1, r.at(10));
        assertEquals(0.5, r.at(20), EXACT);
        assertEquals(cosHalf(19 / 20.0), r.at(29), EXACT);
        assertEquals(1, r.at(30));
        assertEquals(1, r.at(70));
        Schedule r1 = new Schedule.CosineRestarts(1, 0.5, 10, 1);
        assertEquals(1, r1.at(10));
        assertEquals(0.75, r1.at(15), EXACT);
        assertEquals(1, r1.at(1_000_000_000_000L));
    }

    @Test
    void oneCycleMatchesPyTorchBoundaries() {
        Schedule o = Schedule.OneCycle.of(1, 100);  // initial 0.04, peak at step 29, min 4e-6 at step 99
        assertEquals(0.04, o.at(0), EXACT);
        assertEquals(1, o.at(29), EXACT);
        assertEquals(4e-6 + (1 - 4e-6) * cosHalf(1 / 70.0), o.at(30), EXACT);
        assertEquals(4e-6, o.at(99), EXACT);
        assertEquals(4e-6, o.at(500), EXACT);
        assertEquals(1 + (0.04 - 1) * cosHalf(10 / 29.0), o.at(10), EXACT);
    }

    @Test
    void warmupWrapsAnySchedule() {
        Schedule w = new Schedule.Cosine(1, 0, 100).withWarmup(10);
        assertEquals(0.1, w.at(0), EXACT);
        assertEquals(0.5, w.at(4), EXACT);
        assertEquals(1, w.at(9), EXACT);   // end of warm-up reaches the inner schedule's start
        assertEquals(1, w.at(10), EXACT);  // inner step 0
        assertEquals(0.5, w.at(60), EXACT);
        assertEquals(0, w.at(110), EXACT);  // last step of the cosine
        assertEquals(0, w.at(5000), EXACT);
        Schedule ws = new Schedule.StepDecay(2, 5, 0.5).withWarmup(4);
        assertEquals(0.5, ws.at(0), EXACT);
        assertEquals(2, ws.at(4));
        assertEquals(1, ws.at(9));
    }

    @Test
    void badParametersAndStepsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Schedule.Constant(1).at(-1));
        var e = assertThrows(IllegalArgumentException.class, () -> new Schedule.MultiStep(1, List.of(5L, 5L), 0.1));
        assertTrue(e.getMessage().contains("strictly increasing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Schedule.Cosine(1, 0, 0));
        assertEquals("cosine schedule totalSteps must be >= 1, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Schedule.OneCycle(1, 100, 0.005, 25, 1e4));
        assertThrows(IllegalArgumentException.class, () -> new Schedule.Exponential(1, 1.5));
    }

    @Test
    void reduceOnPlateauReducesAfterPatienceWithCooldown() {
        var cfg = new ReduceOnPlateau.Config(ReduceOnPlateau.Mode.MIN, 0.5, 2, 0.1, true, 1, 0.2);
        ReduceOnPlateau r = new ReduceOnPlateau(1, cfg);
        double[] metrics = {10, 9.5, 9.5, 9.5, 9.5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
        //                 best  bad1 bad2 bad3 → 0.5, cool: bad reset; improve; bad1 bad2 bad3 → 0.25 ...
        double[] expected = {1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2};
        ReduceOnPlateau resumed = null;
        for (int i = 0; i < metrics.length; i++) {
            assertEquals(expected[i], r.step(metrics[i]), 1e-7, "lr after evaluation " + i);
            if (resumed != null) {
                assertEquals(expected[i], resumed.step(metrics[i]), 1e-7, "resumed lr after evaluation " + i);
            }
            if (i == 6) {
                Map<String, Tensor> state = new LinkedHashMap<>(r.stateDict());
                resumed = new ReduceOnPlateau(1, cfg);
                resumed.loadStateDict(state);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> r.step(Double.NaN));
        var max = new ReduceOnPlateau(1, new ReduceOnPlateau.Config(ReduceOnPlateau.Mode.MAX, 0.1, 0, 0.5, false, 0, 0));
        assertEquals(1, max.step(1));
        assertEquals(1, max.step(2));                // 2 > 1 + 0.5
        assertEquals(0.1, max.step(2.4), 1e-7);       // not > 2.5: reduce at once (patience 0)
    }
}
