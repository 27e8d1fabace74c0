package dev.brisk.train.setup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.Batch;
import dev.brisk.data.DataLoader;
import dev.brisk.nn.Module;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.ParamGroup;
import dev.brisk.tensor.Rng;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.model.ModelPresets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetupTest {

    static TrainConfig config(String yaml, String... sets) {
        return ConfigLoader.parse(yaml, "t.yaml", List.of(sets));
    }

    @Test
    void optimizerGroupsFollowTheDecayMask() {
        TrainConfig c = config("optim: {name: adamw, weight_decay: 0.05}");
        Module m = ModelPresets.build(c.model(), new int[] {1, 28, 28}, 10, new Rng(1));
        Optimizer o = Optimizers.create(c.optim(), m);
        assertEquals(c.optim().rule(), o.rule());
        assertEquals(1e-3, o.lr());
        ParamGroup decay = o.groups().get(0);
        ParamGroup noDecay = o.groups().get(1);
        assertEquals(0.05, decay.weightDecay());
        assertEquals(0.0, noDecay.weightDecay());
        assertTrue(decay.params().containsKey("0.weight"), "conv kernel decays");
        assertTrue(noDecay.params().containsKey("1.weight") && noDecay.params().containsKey("1.bias"),
                "batch-norm scale and shift do not");
        assertEquals(m.namedParameters().keySet(), o.namedParameters().keySet());
        Optimizer all = Optimizers.create(config("optim: {name: sgd, weight_decay: 0.1, decay_mask: all}").optim(), m);
        assertEquals(1, all.groups().size());
        assertEquals(0.1, all.groups().getFirst().weightDecay());
    }

    @Test
    void schedulesWarmUpThenFollowTheirCurve() {
        LrSchedule cosine = Schedules.create(config("schedule: {name: cosine, warmup_steps: 10}").schedule(), 110, 1.0);
        assertEquals(0.1, cosine.at(0), 1e-12);
        assertEquals(1.0, cosine.at(9), 1e-12);
        assertEquals(1.0, cosine.at(10), 1e-12);
        assertEquals(0.5, cosine.at(60), 1e-12);
        assertEquals(0.0, cosine.at(110), 1e-12);
        assertFalse(cosine.drivenByEvaluation());
        LrSchedule step = Schedules.create(config("schedule: {name: step, step_size: 5, gamma: 0.5}").schedule(),
                100, 0.8);
        assertEquals(0.8, step.at(4));
        assertEquals(0.4, step.at(5));
        LrSchedule oneCycle = Schedules.create(config("schedule: onecycle").schedule(), 100, 1.0);
        assertEquals(1.0 / 25, oneCycle.at(0), 1e-12);
        assertEquals(1.0, oneCycle.at(29), 1e-12);
        ConfigException e = assertThrows(ConfigException.class,
                () -> Schedules.create(config("schedule: {warmup_steps: 50}").schedule(), 50, 1.0));
        assertEquals("schedule.warmup_steps", e.key());
        e = assertThrows(ConfigException.class, () -> Schedules.create(config("schedule: onecycle").schedule(), 3, 1));
        assertEquals("schedule", e.key());
    }

    @Test
    void plateauIsDrivenByEvaluations() {
        LrSchedule p = Schedules.create(config("schedule: {name: plateau, patience: 1, warmup_steps: 2}").schedule(),
                1000, 1.0);
        assertTrue(p.drivenByEvaluation());
        assertEquals(0.5, p.at(0));
        assertEquals(1.0, p.at(5));
        p.afterEvaluation(1.0);
        p.afterEvaluation(1.0);
        p.afterEvaluation(1.0);
        assertEquals(0.1, p.at(5), 1e-6);
        assertTrue(p.plateau().isPresent());
    }

    @Test
    void csvSplitsByHoldoutDeterministically(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 50; i++) {
            csv.append(i).append(',').append(i * 2).append(',').append(i % 3).append('\n');
        }
        Path file = dir.resolve("t.csv");
        Files.writeString(file, csv);
        TrainConfig c = config("data: {dataset: csv, label_column: label, holdout: 0.2, batch_size: 8, workers: 0}\n"
                + "model: mlp", "data.files=[" + file + "]");
        DataSource<?, ?> train = Datasets.create(c.data(), Datasets.Split.TRAIN, c.seed());
        DataSource<?, ?> test = Datasets.create(c.data(), Datasets.Split.TEST, c.seed());
        assertEquals(40, train.size());
        assertEquals(10, test.size());
        assertArrayEquals(new int[] {2}, train.sampleShape());
        assertEquals(3, train.classes());
        Set<Integer> seen = new HashSet<>();
        try (DataLoader l = test.loader(test.loaderConfig(c.data(), c.seed()))) {
            for (Batch b : l.epoch(0)) {
                assertArrayEquals(new int[] {b.size(), 2}, b.inputs().shape());
                float[] x = b.inputs().toFloatArray();
                for (int i = 0; i < x.length; i += 2) {
                    seen.add((int) x[i]); // column a is the row number
                }
            }
        }
        assertEquals(10, seen.size());
        try (DataLoader l = train.loader(train.loaderConfig(c.data(), c.seed()))) {
            for (Batch b : l.epoch(0)) {
                float[] x = b.inputs().toFloatArray();
                for (int i = 0; i < x.length; i += 2) {
                    assertFalse(seen.contains((int) x[i]), "row " + x[i] + " is in both splits");
                }
            }
        }
        Module m = ModelPresets.build(c.model(), train.sampleShape(), train.classes(), new Rng(1));
        assertEquals(2 * 512 + 512 + 512 * 512 + 512 + 512 * 3 + 3, m.numParameters());
        ConfigException e = assertThrows(ConfigException.class, () -> Datasets.create(
                config("data: {dataset: csv, label_column: label, files: [nope.csv]}\nmodel: mlp").data(),
                Datasets.Split.TRAIN, 1));
        assertEquals("data.files", e.key());
    }

    @Test
    void textWindowsAreTokensWithShiftedTargets(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.txt");
        Files.writeString(file, "hello brisk, ".repeat(40));
        TrainConfig c = config("model: transformer\ndata: {dataset: text, seq_len: 8, batch_size: 4, workers: 0,"
                + " holdout: 0}", "data.files=[" + file + "]");
        DataSource<?, ?> train = Datasets.create(c.data(), Datasets.Split.TRAIN, c.seed());
        assertEquals((520 - 9) / 8 + 1, train.size());
        assertArrayEquals(new int[] {8}, train.sampleShape());
        try (DataLoader l = train.loader(train.loaderConfig(c.data(), c.seed()))) {
            Batch b = l.epoch(0).iterator().next();
            assertArrayEquals(new int[] {4, 8}, b.inputs().shape());
            long[] x = b.inputs().toLongArray();
            long[] y = b.targets().toLongArray();
            assertEquals(x[1], y[0]);
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> Datasets.create(c.data(), Datasets.Split.TEST, c.seed()));
        assertEquals("data.test_files", e.key());
    }

    @Test
    void fashionMnistWhenInstalled() {
        TrainConfig c = config("data: {limit: 256, workers: 0}");
        DataSource<?, ?> test;
        try {
            test = Datasets.create(c.data(), Datasets.Split.TEST, c.seed());
        } catch (RuntimeException missing) {
            assertTrue(missing.getMessage().contains("Fashion-MNIST is not in"), missing.getMessage());
            return;
        }
        assertEquals(256, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, test.sampleShape());
        DataSource<?, ?> train = Datasets.create(c.data(), Datasets.Split.TRAIN, c.seed());
        try (DataLoader l = train.loader(train.loaderConfig(c.data(), c.seed()))) {
            Batch b = l.epoch(0).iterator().next();
            assertArrayEquals(new int[] {64, 1, 28, 28}, b.inputs().shape());
            double mean = 0;
            for (float v : b.inputs().toFloatArray()) {
                mean += v;
            }
            mean /= b.inputs().numel();
            assertTrue(Math.abs(mean) < 0.5, "normalized inputs have mean near 0, got " + mean);
        }
    }
}
