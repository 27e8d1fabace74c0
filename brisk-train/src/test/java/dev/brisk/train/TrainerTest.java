package dev.brisk.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.data.TensorDataset;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.optim.Schedule;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop's promises: accumulation, determinism, exact resume, the NaN guard, metrics and checkpoints. */
class TrainerTest {

    /** 96 samples of 6 features in 3 linearly separable-ish classes. */
    static TensorDataset data() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, 96, 6);
        long[] y = new long[96];
        float[] xv = x.toFloatArray();
        for (int i = 0; i < 96; i++) {
            y[i] = xv[i * 6] > 0.5 ? 2 : (xv[i * 6 + 1] > 0 ? 1 : 0);
        }
        return new TensorDataset(x, Tensor.ofLongs(y, 96));
    }

    static Module model(long seed, boolean dropout) {
        Rng rng = new Rng(seed);
        return dropout
                ? new Sequential(new Linear(6, 16, rng), new ReLU(), new Dropout(0.25f, rng.split()), new Linear(16, 3, rng))
                : new Sequential(new Linear(6, 16, rng), new ReLU(), new Linear(16, 3, rng));
    }

    static DataLoader loader(int batch, boolean shuffle) {
        LoaderConfig c = LoaderConfig.of(batch, 11).withDropLast(true)
                .withSampler(shuffle ? Sampler.shuffled() : Sampler.sequential());
        return DataLoader.create(data(), TensorDataset.collate(), c);
    }

    static TrainPlan plan(long steps, int accumulation, Integer checkpointEvery) {
        return new TrainPlan(steps, accumulation, null, null, false, checkpointEvery, false, 10, 1, null);
    }

    static Trainer trainer(Module m, DataLoader train, TrainPlan plan, Path runDir) {
        return trainer(m, train, plan, runDir, Precision.FP32);
    }

    static Trainer trainer(Module m, DataLoader train, TrainPlan plan, Path runDir, Precision precision) {
        Optimizer opt = Optimizer.of(Adam.adam(), 0.01, m.namedParameters(), 0);
        return new Trainer(m, new CrossEntropyLoss(), opt, LearningRate.of(new Schedule.Constant(0.01)), precision,
                train, null, plan, runDir, null, 0, 1, null);
    }

    static float[] weights(Module m) {
        return m.parameters().stream().map(Tensor::toFloatArray)
                .reduce(new float[0], (a, b) -> {
                    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, c, a.length, b.length);
                    return c;
                });
    }

    @Test
    void accumulatingTwoHalfBatchesEqualsOneFullBatch() {
        Module a = model(1, false);
        Module b = model(1, false);
        try (DataLoader half = loader(8, false); DataLoader full = loader(16, false)) {
            trainer(a, half, plan(5, 2, null), null).fit();
            trainer(b, full, plan(5, 1, null), null).fit();
        }
        float[] wa = weights(a);
        float[] wb = weights(b);
        for (int i = 0; i < wa.length; i++) {
            assertEquals(wb[i], wa[i], 1e-5, "weight " + i);
        }
    }

    @Test
    void callbacksSeeEveryStepInOrderAndTheEnd() {
        Module m = model(2, false);
        List<String> events = new java.util.ArrayList<>();
        try (DataLoader l = loader(16, false)) {
            Trainer t = trainer(m, l, plan(4, 1, null), null);
            t.addCallback(new TrainerCallback() {
                @Override
                public void onFitStart(Trainer trainer) {
                    events.add("start@" + trainer.step());
                }

                @Override
                public void afterStep(Trainer trainer, StepResult r) {
                    events.add("step" + r.step() + "@" + trainer.step());
                }

                @Override
                public void onFitEnd(Trainer trainer, Trainer.Summary s) {
                    events.add("end" + s.steps());
                }
            });
            t.fit();
        }
        assertEquals(List.of("start@0", "step1@1", "step2@2", "step3@3", "step4@4", "end4"), events);
    }

    @Test
    void callbacksAddFieldsToTheMetricsRecordsAtTheReportSteps(@TempDir Path dir) throws Exception {
        List<Long> calledWithoutRunDir = new java.util.ArrayList<>();
        TrainerCallback tagger = new TrainerCallback() {
            @Override
            public void beforeStepRecord(Trainer trainer, StepResult r, com.fasterxml.jackson.databind.node.ObjectNode record) {
                if (trainer.runDir() == null) {
                    calledWithoutRunDir.add(r.step());
                }
                record.put("tag", "s" + r.step());
            }
        };
        TrainPlan p = new TrainPlan(7, 1, null, null, false, null, false, 2, 3, null);
        try (DataLoader l = loader(16, false)) {
            Trainer t = trainer(model(3, false), l, p, dir);
            t.addCallback(tagger);
            t.fit();
        }
        try (DataLoader l = loader(16, false)) {
            Trainer t = trainer(model(3, false), l, p, null);
            t.addCallback(tagger);
            t.fit();
        }
        List<String> tags = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            JsonNode o = new ObjectMapper().readTree(line);
            if (!o.has("kind")) {
                assertEquals("s" + o.path("step").asLong(), o.path("tag").asText(), line);
                tags.add(o.path("tag").asText());
            }
        }
        assertEquals(List.of("s1", "s3", "s6"), tags);
        assertEquals(List.of(1L, 3L, 6L), calledWithoutRunDir, "called on a rank that writes no metrics too");
    }

    @Test
    void sameSeedSameConfigGivesBitIdenticalWeights() {
        Module a = model(3, true);
        Module b = model(3, true);
        try (DataLoader la = loader(16, true); DataLoader lb = loader(16, true)) {
            trainer(a, la, plan(20, 1, null), null).fit();
            trainer(b, lb, plan(20, 1, null), null).fit();
        }
        assertArrayEquals(weights(a), weights(b));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Precision.class)
    void resumedRunEndsBitIdenticalToAnUninterruptedOne(Precision precision, @TempDir Path dir) throws Exception {
        // 6 batches per epoch, so 8 steps cross an epoch boundary and resume lands mid-epoch
        Module straight = model(7, true);
        try (DataLoader l = loader(16, true)) {
            trainer(straight, l, plan(16, 1, null), null, precision).fit();
        }
        Path run = dir.resolve("run");
        Module first = model(7, true);
        try (DataLoader l = loader(16, true)) {
            trainer(first, l, plan(8, 1, 4), run, precision).fit();
        }
        Path last = Checkpoints.latest(run).orElseThrow();
        assertTrue(last.getFileName().toString().endsWith("000000008"), last.toString());
        Module resumed = model(99, true); // different init: everything must come from the checkpoint
        try (DataLoader l = loader(16, true)) {
            Trainer t = trainer(resumed, l, plan(16, 1, null), null, precision);
            t.restore(Checkpoints.load(last));
            t.fit();
        }
        assertArrayEquals(weights(straight), weights(resumed));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Precision.class)
    void everyPrecisionLearns(Precision precision) {
        Module m = model(8, false);
        float first;
        float last;
        try (DataLoader l = loader(16, true); DataLoader eval = loader(96, false)) {
            CrossEntropyLoss ce = new CrossEntropyLoss();
            first = (float) Evaluation.run(m, ce, eval).loss();
            trainer(m, l, plan(60, 1, null), null, precision).fit();
            last = (float) Evaluation.run(m, ce, eval).loss();
        }
        assertTrue(last < 0.6 * first, precision + ": loss " + first + " -> " + last);
    }

    @Test
    void nonFiniteLossStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Module m = model(2, false);
        Path run = dir.resolve("run");
        int[] calls = {0};
        // a loss that turns NaN at the 4th step
        dev.brisk.nn.loss.Loss poisoned = (out, target) -> {
            Tensor l = new CrossEntropyLoss().apply(out, target);
            return ++calls[0] >= 4 ? l.mul(Float.NaN) : l;
        };
        Optimizer opt = Optimizer.of(Adam.adam(), 0.01, m.namedParameters(), 0);
        try (DataLoader l = loader(16, false)) {
            Trainer t = new Trainer(m, poisoned, opt, LearningRate.of(new Schedule.Constant(0.01)), Precision.FP32, l,
                    null, plan(10, 1, 2), run, null, 0, 1, null);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, t::fit);
            assertEquals(4, e.step());
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
        Checkpoints.Loaded good = Checkpoints.load(Checkpoints.latest(run).orElseThrow());
        assertEquals(2, good.trainer().get("step").asLong());
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        JsonNode lastLine = new ObjectMapper().readTree(lines.getLast());
        assertEquals("error", lastLine.get("kind").asText());
    }

    @Test
    void metricsFollowTheSchemaAndKeepLastKCheckpoints(@TempDir Path dir) throws Exception {
        Module m = model(4, false);
        Path run = dir.resolve("run");
        try (DataLoader l = loader(16, true)) {
            Optimizer opt = Optimizer.of(Adam.adam(), 0.01, m.namedParameters(), 0);
            TrainPlan p = new TrainPlan(9, 1, 1.0, null, false, 2, false, 2, 3, null);
            new Trainer(m, new CrossEntropyLoss(), opt, LearningRate.of(new Schedule.Constant(0.01)), Precision.FP32, l,
                    null, p, run, null, 1e4, 1e9, null).fit();
        }
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        JsonNode first = new ObjectMapper().readTree(lines.getFirst());
        for (String k : List.of("step", "epoch", "loss", "lr", "grad_norm", "samples_per_s", "tokens_per_s", "step_ms",
                "data_ms", "fwd_ms", "bwd_ms", "comm_ms", "opt_ms", "mfu", "heap_bytes")) {
            assertTrue(first.has(k), "metrics record lacks " + k + ": " + first);
        }
        assertEquals(4, lines.size(), "steps 1, 3, 6, 9 are logged: " + lines);
        List<Path> kept = Checkpoints.list(run);
        assertEquals(List.of("step-000000008", "step-000000009"),
                kept.stream().map(p -> p.getFileName().toString()).toList());
        Map<String, Tensor> saved = Checkpoints.load(kept.getLast()).model();
        assertArrayEquals(m.stateDict().get("0.weight").toFloatArray(), saved.get("0.weight").toFloatArray());
    }
}
