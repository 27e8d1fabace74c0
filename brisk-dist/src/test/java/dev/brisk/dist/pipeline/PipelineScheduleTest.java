package dev.brisk.dist.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.pipeline.PipelineSchedule.Action;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The schedules as pure action lists: ordering invariants, in-flight bounds and a unit-time simulation. */
class PipelineScheduleTest {

    @Test
    void everyMicroBatchRunsForwardThenBackwardOnceWithBoundedInFlight() {
        for (PipelineSchedule sched : PipelineSchedule.values()) {
            for (int p = 1; p <= 5; p++) {
                for (int m = 1; m <= 9; m++) {
                    for (int s = 0; s < p; s++) {
                        List<Action> acts = sched.actions(p, s, m);
                        assertEquals(2 * m, acts.size());
                        Set<Integer> forwarded = new HashSet<>();
                        Set<Integer> done = new HashSet<>();
                        int inFlight = 0;
                        int peak = 0;
                        for (Action a : acts) {
                            if (a.forward()) {
                                assertTrue(forwarded.add(a.microBatch()), "F twice: " + acts);
                                peak = Math.max(peak, ++inFlight);
                            } else {
                                assertTrue(forwarded.contains(a.microBatch()), "B before F: " + acts);
                                assertTrue(done.add(a.microBatch()), "B twice: " + acts);
                                inFlight--;
                            }
                        }
                        int expected = sched == PipelineSchedule.GPIPE ? m : Math.min(p - s, m);
                        assertEquals(expected, peak, sched + " p=" + p + " s=" + s + " m=" + m);
                    }
                }
            }
        }
    }

    @Test
    void oneFOneBMatchesTheMegatronOrderForFourStages() {
        assertEquals("[F0, F1, F2, F3, B0, F4, B1, F5, B2, F6, B3, F7, B4, B5, B6, B7]",
                PipelineSchedule.ONE_F_ONE_B.actions(4, 0, 8).toString());
        assertEquals("[F0, B0, F1, B1, F2, B2]", PipelineSchedule.ONE_F_ONE_B.actions(4, 3, 3).toString());
    }

    /**
     * Simulates all stages with unit forward and backward times, honouring the cross-stage dependencies
     * (F(mb,s) after F(mb,s−1), B(mb,s) after B(mb,s+1)): every action runs (no deadlock) and the makespan is
     * {@code 2(m+p−1)}, i.e. the bubble is {@code (p−1)/(m+p−1)}.
     */
    @Test
    void unitTimeSimulationHasTheTextbookMakespan() {
        for (PipelineSchedule sched : PipelineSchedule.values()) {
            for (int p = 1; p <= 5; p++) {
                for (int m = 1; m <= 9; m++) {
                    int makespan = simulate(sched, p, m);
                    assertEquals(2 * (m + p - 1), makespan, sched + " p=" + p + " m=" + m);
                    double bubble = 1 - 2.0 * m / makespan;
                    assertEquals(PipelineSchedule.idealBubble(p, m), bubble, 1e-12);
                }
            }
        }
    }

    private static int simulate(PipelineSchedule sched, int p, int m) {
        int[][] fEnd = new int[p][m];
        int[][] bEnd = new int[p][m];
        for (int[] r : fEnd) {
            java.util.Arrays.fill(r, -1);
        }
        for (int[] r : bEnd) {
            java.util.Arrays.fill(r, -1);
        }
        int[] next = new int[p];
        int[] free = new int[p];
        int total = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int s = 0; s < p; s++) {
                List<Action> acts = sched.actions(p, s, m);
                while (next[s] < acts.size()) {
                    Action a = acts.get(next[s]);
                    int mb = a.microBatch();
                    int ready;
                    if (a.forward()) {
                        ready = s == 0 ? 0 : fEnd[s - 1][mb];
                    } else {
                        ready = s == p - 1 ? fEnd[s][mb] : bEnd[s + 1][mb];
                    }
                    if (ready < 0) {
                        break;
                    }
                    int end = Math.max(ready, free[s]) + 1;
                    free[s] = end;
                    (a.forward() ? fEnd : bEnd)[s][mb] = end;
                    next[s]++;
                    total = Math.max(total, end);
                    progress = true;
                }
            }
        }
        for (int s = 0; s < p; s++) {
            assertEquals(2 * m, next[s], "deadlock: stage " + s + " stuck");
        }
        return total;
    }

    @Test
    void partitionsByCountAndByCost() {
        assertArrayEquals(new int[] {0, 3, 6, 8}, StagePartition.uniform(10, 4).starts());
        // the heavy last layer gets a stage of its own
        assertArrayEquals(new int[] {0, 4}, StagePartition.balanced(new double[] {1, 1, 1, 1, 4}, 2).starts());
        // max stage cost 5 is optimal for [2, 3, 2, 3, 2, 3] in 3 stages
        StagePartition b = StagePartition.balanced(new double[] {2, 3, 2, 3, 2, 3}, 3);
        assertArrayEquals(new int[] {0, 2, 4}, b.starts());
        assertThrows(IllegalArgumentException.class, () -> StagePartition.balanced(new double[] {1, 1}, 3));
        assertThrows(IllegalArgumentException.class, () -> new StagePartition(4, new int[] {0, 2, 2}));
        assertEquals(PipelineSchedule.ONE_F_ONE_B, PipelineSchedule.parse("1F1B"));
        // measured costs: one finite non-negative figure per layer, usable by the balanced split, gradients cleared
        dev.brisk.nn.Sequential model = PipelineStageTest.mlp(1);
        double[] cost = StagePartition.measureCosts(model, dev.brisk.tensor.Tensor.randn(new dev.brisk.tensor.Rng(2),
                4, 6), 2);
        assertEquals(model.size(), cost.length);
        for (double c : cost) {
            assertTrue(c >= 0 && Double.isFinite(c));
        }
        assertEquals(3, StagePartition.balanced(cost, 3).stages());
        model.parameters().forEach(p -> assertEquals(null, p.grad()));
        assertThrows(IllegalArgumentException.class, () -> PipelineSchedule.parse("zb"));
    }
}
