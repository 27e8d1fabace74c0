package dev.brisk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The soak's verdict on synthetic series: one-time steps pass, leaks (steady, slow, late) do not; and the live-heap
 * measurement it judges.
 */
class SoakVerdictTest {

    private static final long MB = 1_000_000;
    private static final long HEAP = 90 * MB;
    private static final long RSS = 1_280 * MB;

    /** Samples every {@code every} steps up to {@code steps}: heap and RSS from the functions of the step. */
    private static List<ResourceSample> series(int steps, int every, LongUnaryOperator heap, LongUnaryOperator rss,
                                               int threadsFrom, int threadsTo) {
        List<ResourceSample> out = new ArrayList<>();
        for (long s = every; s <= steps; s += every) {
            int threads = s * 2 > steps ? threadsTo : threadsFrom;
            out.add(new ResourceSample(s, heap.applyAsLong(s), rss.applyAsLong(s), threads, 12));
        }
        return out;
    }

    /** ±{@code amplitude} of reproducible noise per sample. */
    private static LongUnaryOperator noisy(long base, long amplitude, long seed) {
        return s -> base + (long) ((new Random(seed * 1_000_003 + s).nextDouble() * 2 - 1) * amplitude);
    }

    private static boolean flat(List<ResourceSample> samples) {
        ObjectNode r = SoakWorkload.report(samples, 1);
        return r.get("flat").asBoolean();
    }

    @Test
    void aOneTimeRssStepAfterTheWarmUpIsNotALeak() {
        // the 2-process run that read NOT FLAT: RSS steps from ~1,040 to ~1,280 MB at step 300 of 800, after the
        // one-sample warm-up, then moves by a few MB (the parallel collector committing more heap once)
        LongUnaryOperator rss = s -> (s < 300 ? 1_040 * MB : 1_280 * MB) + (s % 200 == 0 ? 3 * MB : 0) + s * 1_000;
        List<ResourceSample> samples = series(800, 100, noisy(92 * MB, MB, 1), rss, 14, 14);
        List<ResourceSample> measured = SoakVerdict.measured(samples);
        SoakVerdict v = SoakVerdict.judge(measured, ResourceSample::rssBytes, 32L << 20, 0.05);
        long span = measured.getLast().step() - measured.getFirst().step();
        // a fit over the whole measured window alone would call it growth
        assertTrue(v.slopePer1000() * span / 1000 > v.allowedBytes(), v.toString());
        assertTrue(v.flat(), v.toString());
        assertTrue(flat(samples));
    }

    @Test
    void steadyGrowthIsALeakWhateverTheNoise() {
        // 20 KB per step of heap (a retained batch per step, say), ±3 MB of noise, 5,000 steps
        LongUnaryOperator base = noisy(HEAP, 3 * MB, 2);
        List<ResourceSample> samples = series(5000, 250, s -> base.applyAsLong(s) + 20_000 * s, noisy(RSS, 5 * MB, 3),
                11, 11);
        assertFalse(flat(samples));
        ObjectNode r = SoakWorkload.report(samples, 1);
        assertFalse(r.get("heap_flat").asBoolean());
        assertTrue(r.get("rss_flat").asBoolean());
    }

    @Test
    void aSlowLeakJustAboveTheAllowanceIsCaught() {
        // 3 KB per step: 11 MB over the measured steps 1250..5000, above the 8 MiB heap allowance
        List<ResourceSample> samples = series(5000, 250, s -> HEAP + 3_000 * s, s -> RSS, 11, 11);
        List<ResourceSample> measured = SoakVerdict.measured(samples);
        assertEquals(1250, measured.getFirst().step());
        SoakVerdict v = SoakVerdict.judge(measured, ResourceSample::heapAfterGcBytes, 8L << 20, 0.05);
        assertEquals(3 * MB, v.slopePer1000(), 1e3);
        assertEquals(3 * MB, v.lateSlopePer1000(), 1e3);
        assertFalse(v.flat(), v.toString());
        // and a third of that rate is within it
        List<ResourceSample> slow = series(5000, 250, s -> HEAP + 1_000 * s, s -> RSS, 11, 11);
        assertTrue(flat(slow));
    }

    @Test
    void aStepLateInTheRunCannotBeToldFromALeakAndFails() {
        List<ResourceSample> samples = series(800, 100, s -> s < 700 ? HEAP : HEAP + 40 * MB, s -> RSS, 11, 11);
        assertFalse(flat(samples));
    }

    @Test
    void flatNoisySeriesPassAndAThreadStartedMidRunDoesNot() {
        List<ResourceSample> quiet = series(20_000, 500, noisy(HEAP, 4 * MB, 4), noisy(RSS, 6 * MB, 5), 9, 9);
        assertTrue(flat(quiet));
        List<ResourceSample> threadLeak = series(20_000, 500, noisy(HEAP, 4 * MB, 4), noisy(RSS, 6 * MB, 5), 9, 10);
        ObjectNode r = SoakWorkload.report(threadLeak, 1);
        assertFalse(r.get("flat").asBoolean());
        assertFalse(r.get("threads_flat").asBoolean());
        assertTrue(r.get("heap_flat").asBoolean() && r.get("rss_flat").asBoolean());
    }

    @Test
    void theLiveHeapIsTheClassHistogramTotalAndSeesARetainedArray() {
        String histogram = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         12345       67890123  [B (java.base@25)
                   2:           100           4000  java.lang.String (java.base@25)
                Total         12445       67894123
                """;
        assertEquals(67_894_123L, ResourceSample.histogramTotalBytes(histogram));
        long before = ResourceSample.take(1).heapAfterGcBytes();
        byte[] retained = new byte[32 << 20];
        long after = ResourceSample.take(2).heapAfterGcBytes();
        assertEquals(32 << 20, after - before, 4 << 20, "a retained 32 MiB array");
        assertEquals(32 << 20, retained.length);
    }
}
