package dev.brisk.monitor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search loop with synthetic trials: pruning decisions, failures, resuming; and the pruners' rules. */
class SearchTest {

    /**
     * A synthetic trial: writes one evaluation line of its curve to metrics.jsonl per poll, then exits with
     * {@code exit}.
     */
    static final class FakeTrial implements TrialRunner.Handle {
        final Path metrics;
        final List<Double> curve;
        final int exit;
        int written;
        boolean stopped;

        FakeTrial(Path runDir, List<Double> curve, int exit) throws IOException {
            Files.createDirectories(runDir);
            this.metrics = runDir.resolve("metrics.jsonl");
            this.curve = curve;
            this.exit = exit;
        }

        @Override
        public void poll() {
            if (!stopped && written < curve.size()) {
                try {
                    Files.writeString(metrics, "{\"step\":" + written + "}\n{\"kind\":\"eval\",\"eval_accuracy\":"
                            + curve.get(written) + "}\n", java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                written++;
            }
        }

        @Override
        public boolean alive() {
            return !stopped && written < curve.size();
        }

        @Override
        public int exitCode() {
            return exit;
        }

        @Override
        public void stop() {
            stopped = true;
        }
    }

    static final SearchSpace SPACE = new SearchSpace(List.of(new Param.Int("q", 0, 1000, false, Map.of())));

    /** Trial k gets q = qs[k-1]. */
    static Sampler fixed(long... qs) {
        return (space, finished, goal, id, rng) -> id <= qs.length ? Map.of("q", qs[id - 1]) : null;
    }

    static Search search(Path dir, Sampler s, Pruner p, TrialRunner r, int trials) {
        return new Search(SPACE, s, p, r, dir, new Search.Options(trials, 1, new Goal("eval_accuracy", true), 7, 0),
                null);
    }

    static long q(List<String> sets) {
        return Long.parseLong(sets.getFirst().substring("q=".length()));
    }

    /** Quality q/100, learning as q·(1 − 2^−k) over 9 evaluations; q = 50 with flat = a fast start that stalls. */
    static List<Double> curve(long q) {
        List<Double> c = new ArrayList<>();
        for (int k = 1; k <= 9; k++) {
            c.add(q == 51 ? 0.5 : q / 100.0 * (1 - Math.pow(2, -k)));
        }
        return c;
    }

    @Test
    void ashaStopsTheTrialsBelowTheTopThirdAtEachRung(@TempDir Path dir) throws Exception {
        // qualities in start order; 51 stands for a curve flat at 0.5 (fast start, no progress)
        long[] qs = {50, 90, 30, 70, 95, 10, 80, 51, 20};
        Search s = search(dir, fixed(qs), new AshaPruner(1, 3), (runDir, sets) -> new FakeTrial(runDir,
                curve(q(sets)), 0), qs.length);
        List<Trial> trials = s.run();
        Map<Integer, String> outcome = trials.stream().collect(Collectors.toMap(Trial::id,
                t -> t.status().key() + "@" + t.curve().size()));
        // Worked out by hand with rungs at evaluations 1, 3, 9 and η = 3 (keep the top ⌊n/3⌋, at least the best):
        // 1, 2, 5 are the best so far at every rung; 3, 4, 6 fall below the best at rung 1; 7 (0.40) is below the
        // second best (0.45) of 7; 8 (flat 0.5) is the best at rung 1 but below 5's 0.83 at rung 3; 9 is below the
        // third best of 9 at rung 1.
        assertEquals(Map.of(1, "complete@9", 2, "complete@9", 3, "pruned@1", 4, "pruned@1", 5, "complete@9",
                6, "pruned@1", 7, "pruned@1", 8, "pruned@3", 9, "pruned@1"), outcome);
        String summary = Files.readString(dir.resolve(Search.SUMMARY_FILE));
        assertTrue(summary.contains("best: trial 5"), summary);
        assertTrue(summary.contains("train with: --set q=95"), summary);
    }

    @Test
    void aCrashedTrialIsRecordedFailedAndTheSearchGoesOn(@TempDir Path dir) throws Exception {
        Search s = search(dir, fixed(40, 60, 50), Pruner.named("none"), (runDir, sets) -> {
            long q = q(sets);
            if (q == 60) {
                return new FakeTrial(runDir, curve(q).subList(0, 2), 1); // dies after two evaluations
            }
            if (q == 50) {
                throw new IOException("no such java");
            }
            return new FakeTrial(runDir, curve(q), 0);
        }, 3);
        List<Trial> trials = s.run();
        assertEquals(List.of(Trial.Status.COMPLETE, Trial.Status.FAILED, Trial.Status.FAILED),
                trials.stream().map(Trial::status).toList());
        assertEquals("exit status 1", trials.get(1).error());
        assertTrue(trials.get(2).error().contains("no such java"), trials.get(2).error());
        List<JsonNode> records = new ArrayList<>();
        for (String l : Files.readAllLines(dir.resolve(Search.TRIALS_FILE))) {
            records.add(new ObjectMapper().readTree(l));
        }
        assertEquals(6, records.size(), "a running and a final record per trial");
        assertEquals("failed", records.get(3).path("status").asText());
    }

    @Test
    void anInterruptedSearchResumesWhereItStopped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(Search.TRIALS_FILE), """
                {"trial":1,"status":"running","params":{"q":40},"run_dir":"trial-0001"}
                {"trial":2,"status":"running","params":{"q":77},"run_dir":"trial-0002"}
                {"trial":1,"status":"complete","params":{"q":40},"metric":0.399,"curve":[0.2,0.399],"seconds":1.0}
                {"trial":3,"status":"running","par""");
        Files.createDirectories(dir.resolve("trial-0002"));
        Files.writeString(dir.resolve("trial-0002/metrics.jsonl"), "{\"kind\":\"eval\",\"eval_accuracy\":0.01}\n");
        List<Long> started = new ArrayList<>();
        Search s = search(dir, fixed(40, 10, 60), Pruner.named("none"), (runDir, sets) -> {
            started.add(q(sets));
            return new FakeTrial(runDir, curve(q(sets)).subList(0, 2), 0);
        }, 3);
        List<Trial> trials = s.run();
        assertEquals(List.of(77L, 60L), started, "trial 2 re-runs with its recorded params; trial 1 is kept");
        assertEquals(3, trials.size());
        assertEquals(2, trials.get(1).curve().size(), "the interrupted attempt's metrics were discarded");
        Set<Integer> ids = new TreeSet<>(trials.stream().map(Trial::id).toList());
        assertEquals(Set.of(1, 2, 3), ids);
    }

    @Test
    void theMedianRuleStopsTrialsBelowTheOthersMedian() {
        MedianPruner p = new MedianPruner(1, 3);
        Map<Integer, List<Double>> c = new java.util.TreeMap<>(Map.of(1, List.of(0.5, 0.6), 2, List.of(0.3, 0.7),
                3, List.of(0.4, 0.5)));
        c.put(4, List.of(0.35));
        assertTrue(p.shouldStop(4, c), "0.35 < median(0.5, 0.3, 0.4) = 0.4");
        c.put(4, List.of(0.45));
        assertTrue(!p.shouldStop(4, c));
        c.put(4, List.of(0.45, 0.55));
        assertTrue(p.shouldStop(4, c), "best 0.55 < median of bests over 2 evals (0.6, 0.7, 0.5) = 0.6");
        Map<Integer, List<Double>> few = Map.of(1, List.of(0.9), 2, List.of(0.1));
        assertTrue(!p.shouldStop(2, few), "fewer than 3 other trials: no decision");
    }
}
