package dev.brisk.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.train.StepResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The suggestion rules on synthetic step timings: each symptom, its threshold, and the ordering by weight. */
class SuggestionsTest {

    private static final RunContext CPU16 = new RunContext(16, 256, 1, 2, 1, "fp32");
    private static final Efficiency.Memory MEM = new Efficiency.Memory(1, 1, 2, 10, 100, 1000);

    /** An efficiency whose fractions are exactly the given ones (the rest is forward/backward). */
    private static Efficiency eff(double data, double comm, double opt, double other, double mfu, Efficiency.Memory m,
                                  double outside) {
        double compute = 1 - data - comm - opt - other;
        return new Efficiency(100, 1000, mfu, data, compute / 3, 2 * compute / 3, comm, opt, other, 0.4, outside, m);
    }

    private static List<String> rules(Efficiency e, RunContext c) {
        return Suggestions.all(e, c).stream().map(Suggestions.Suggestion::rule).toList();
    }

    @Test
    void aHealthyRunGetsNoSuggestion() {
        assertEquals(List.of(), rules(eff(0.01, 0.02, 0.05, 0.02, 0.5, MEM, 0.05), CPU16));
    }

    @Test
    void aDataStallAboveFivePercentNamesWorkers() {
        assertEquals(List.of(), rules(eff(0.049, 0, 0, 0, 0.5, MEM, 0), CPU16));
        var s = Suggestions.all(eff(0.18, 0, 0, 0, 0.5, MEM, 0), CPU16);
        assertEquals("data_stall", s.getFirst().rule());
        assertTrue(s.getFirst().text().startsWith("data stall 18% of the step: raise data.workers (now 2)"),
                s.getFirst().text());
        var noWorkers = Suggestions.all(eff(0.18, 0, 0, 0, 0.5, MEM, 0), new RunContext(16, 256, 1, 0, 1, "fp32"));
        assertTrue(noWorkers.getFirst().text().contains("set data.workers: 2"), noWorkers.getFirst().text());
    }

    @Test
    void smallGemmsNeedLowMfuAndFewSamplesPerThread() {
        RunContext smallBatch = new RunContext(16, 32, 1, 2, 1, "fp32");
        assertEquals(List.of("small_gemm"), rules(eff(0, 0, 0, 0, 0.05, MEM, 0), smallBatch));
        assertTrue(Suggestions.all(eff(0, 0, 0, 0, 0.05, MEM, 0), smallBatch).getFirst().text()
                .contains("raise data.batch_size (e.g. 512"));
        assertEquals(List.of(), rules(eff(0, 0, 0, 0, 0.05, MEM, 0), CPU16), "256 samples on 16 threads is enough");
        assertEquals(List.of(), rules(eff(0, 0, 0, 0, 0.40, MEM, 0), smallBatch), "MFU 40% is fine");
        assertEquals(List.of(), rules(eff(0, 0, 0, 0, 0, MEM, 0), smallBatch), "MFU unknown: no claim");
    }

    @Test
    void exposedCommunicationOptimizerOverheadAndEvaluation() {
        assertEquals(List.of("comm_exposed"), rules(eff(0, 0.25, 0, 0, 0.5, MEM, 0), CPU16));
        assertEquals(List.of("optimizer"), rules(eff(0, 0, 0.2, 0, 0.5, MEM, 0), CPU16));
        assertEquals(List.of("overhead"), rules(eff(0, 0, 0, 0.12, 0.5, MEM, 0), CPU16));
        assertEquals(List.of("outside_steps"), rules(eff(0, 0, 0, 0, 0.5, MEM, 0.3), CPU16));
    }

    @Test
    void heapPressureFiresNearTheLimit() {
        var tight = new Efficiency.Memory(1, 1, 2, 10, 900, 1000);
        assertEquals(List.of("heap_pressure"), rules(eff(0, 0, 0, 0, 0.5, tight, 0), CPU16));
        var loose = new Efficiency.Memory(1, 1, 2, 10, 800, 1000);
        assertEquals(List.of(), rules(eff(0, 0, 0, 0, 0.5, loose, 0), CPU16));
    }

    @Test
    void theTopThreeAreTheLargestShares() {
        Efficiency e = eff(0.30, 0.12, 0.20, 0.11, 0.5, MEM, 0);
        var top = Suggestions.top(e, CPU16, 3);
        assertEquals(List.of("data_stall", "optimizer", "comm_exposed"),
                top.stream().map(Suggestions.Suggestion::rule).toList());
    }

    @Test
    void fractionsComeFromTheStepSumsAfterWarmUp() {
        StepTotals t = new StepTotals(1);
        t.add(new StepResult(1, 1, 1, false, 10, 10, 500, 500, 500, 0, 0, 500, 2000)); // warm-up: left out
        // 10 samples in 100 ms: data 20, fwd 30, bwd 30, comm 5 exposed of 15, opt 10, other 5
        t.add(new StepResult(2, 1, 1, false, 10, 10, 20, 30, 30, 5, 15, 10, 100));
        t.add(new StepResult(3, 1, 1, false, 10, 10, 20, 30, 30, 5, 15, 10, 100));
        Efficiency e = Efficiency.of(t, 4.2, 1e6, 1e9, MEM);
        assertEquals(2, e.steps());
        assertEquals(100, e.samplesPerS(), 1e-9);
        assertEquals(0.1, e.mfu(), 1e-12); // 1e6 FLOP × 100 samples/s / 1e9
        assertEquals(0.20, e.dataFraction(), 1e-12);
        assertEquals(0.30, e.fwdFraction(), 1e-12);
        assertEquals(0.05, e.commExposedFraction(), 1e-12);
        assertEquals(0.10, e.optFraction(), 1e-12);
        assertEquals(0.05, e.otherFraction(), 1e-12);
        assertEquals(10.0 / 15.0, e.commHiddenFraction(), 1e-12);
        assertEquals((4.2 - 2.2) / 4.2, e.outsideStepsFraction(), 1e-12); // 2.2 s of the 4.2 s were steps
    }

    @Test
    void aRunShorterThanTheWarmUpStillReports() {
        StepTotals t = new StepTotals(3);
        t.add(new StepResult(1, 1, 1, false, 10, 10, 50, 20, 20, 0, 0, 10, 100));
        Efficiency e = Efficiency.of(t, 0.1, 0, 0, MEM);
        assertEquals(1, e.steps());
        assertEquals(0.5, e.dataFraction(), 1e-12);
        assertEquals(0, e.mfu());
    }
}
