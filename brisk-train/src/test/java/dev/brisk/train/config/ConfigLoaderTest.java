package dev.brisk.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.optim.Adam;
import dev.brisk.optim.Lars;
import dev.brisk.optim.Precision;
import dev.brisk.optim.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    static TrainConfig parse(String yaml, String... sets) {
        return ConfigLoader.parse(yaml, "run.yaml", List.of(sets));
    }

    @Test
    void noConfigGivesTheDefaults() {
        TrainConfig c = ConfigLoader.load(List.of());
        assertEquals(TrainConfig.defaults(), c);
        assertEquals(ModelConfig.Kind.CNN_BN, c.model().kind());
        assertEquals(DataConfig.Source.FASHION_MNIST, c.data().dataset());
        assertEquals(64, c.data().batchSize());
        assertEquals(List.of(DataConfig.Augment.CROP, DataConfig.Augment.FLIP), c.data().augment());
        assertEquals("adam", c.optim().name());
        assertEquals(1e-3, c.optim().lr());
        assertEquals(new ScheduleConfig.Cosine(0, null, 1), c.schedule().curve());
        assertEquals(Precision.FP32, c.precision());
        assertEquals(10, c.epochs());
        assertNull(c.steps());
        assertEquals(42, c.seed());
        assertNull(c.threads());
        assertEquals(parse(""), c);
        assertEquals(parse("# only a comment\n"), c);
    }

    @Test
    void readsEverySection() {
        TrainConfig c = parse("""
                model: {preset: transformer, blocks: 3, d_model: 64, heads: 2, tied: true, dropout: 0.1}
                data: {dataset: text, files: [a.txt, b.txt], seq_len: 32, batch_size: 16, workers: 0}
                optim: {name: adamw, lr: 3e-4, betas: [0.9, 0.95], weight_decay: 0.1, decay_mask: all}
                schedule: {name: cosine, warmup_steps: 100, min_lr: 1.0e-5}
                precision: bf16
                steps: 500
                accumulation: 4
                clip_grad_norm: 1.0
                eval: {every_steps: 50, every_epochs: null, early_stopping: 3}
                checkpoint: {every_steps: 100, keep: 2}
                seed: 7
                threads: 2
                report: {memory: true, every_steps: 10}
                memory: {checkpoint: blocks}
                """);
        assertEquals(new TransformerConfig(3, 64, 2, 32, 256, 4, true, 0.1), c.model().transformer());
        assertEquals(List.of("a.txt", "b.txt"), c.data().files());
        assertEquals(List.of(), c.data().augment(), "text data has no default augmentation");
        assertEquals(16, c.data().batchSize());
        assertEquals(0, c.data().workers());
        assertEquals(new Adam(0.9, 0.95, 1e-8, true), c.optim().rule());
        assertEquals("adamw", c.optim().name());
        assertEquals(3e-4, c.optim().lr());
        assertEquals(0.1, c.optim().weightDecay());
        assertEquals(OptimConfig.DecayMask.ALL, c.optim().decayMask());
        assertEquals(new ScheduleConfig(new ScheduleConfig.Cosine(1e-5, null, 1), 100), c.schedule());
        assertEquals(Precision.BF16, c.precision());
        assertEquals(500L, c.steps());
        assertEquals(4, c.accumulation());
        assertEquals(1.0, c.clipGradNorm());
        assertEquals(new EvalConfig(50L, null, 3), c.eval());
        assertEquals(new CheckpointConfig(100L, 1, 2), c.checkpoint());
        assertEquals(7, c.seed());
        assertEquals(2, c.threads());
        assertEquals(new ReportConfig(true, 10), c.report());
        assertEquals(MemoryConfig.Checkpointing.BLOCKS, c.memory().checkpoint());
        assertEquals(500, c.totalSteps(1000));
        assertEquals(64, c.samplesPerStep());
    }

    @Test
    void scalarShorthandsStandForTheirMainKey() {
        TrainConfig c = parse("model: mlp\ndata: mnist\noptim: sgd\nschedule: constant\n");
        assertEquals(ModelConfig.preset(ModelConfig.Kind.MLP), c.model());
        assertEquals(DataConfig.Source.MNIST, c.data().dataset());
        assertEquals(new Sgd(0.9, 0, false), c.optim().rule());
        assertEquals(0.01, c.optim().lr(), "sgd's default lr");
        assertEquals(new ScheduleConfig.Constant(), c.schedule().curve());
        TrainConfig lm = parse("model: transformer\ndata: {dataset: text, files: [x.txt], seq_len: 128}\n"
                + "memory: blocks\n");
        assertEquals(128, lm.model().transformer().seqLen(), "model.seq_len defaults to data.seq_len");
        assertEquals(MemoryConfig.Checkpointing.BLOCKS, lm.memory().checkpoint());
    }

    @Test
    void perOptimizerDefaults() {
        assertEquals(0.01, parse("optim: adamw").optim().weightDecay());
        assertEquals(0.0, parse("optim: adam").optim().weightDecay());
        assertEquals(Lars.defaults(), parse("optim: lars").optim().rule());
        assertEquals(new Lars(0.8, 0.002, 1e-8, true),
                parse("optim: {name: lars, momentum: 0.8, trust_coefficient: 0.002, nesterov: true}").optim().rule());
        for (String name : OptimConfig.NAMES) {
            assertEquals(name, parse("optim: " + name).optim().name());
        }
    }

    @Test
    void overridesSetDottedKeysAsYamlScalars() {
        TrainConfig c = parse("optim: {name: adam, lr: 0.001}\nepochs: 3\n",
                "optim.lr=3e-4", "steps=100", "data.batch_size=32", "seed=-5", "precision=fp16",
                "clip_grad_norm=0.5", "data.augment=[flip]", "data.workers=0", "report.memory=true");
        assertEquals(3e-4, c.optim().lr());
        assertEquals(100L, c.steps());
        assertEquals(3, c.epochs());
        assertEquals(32, c.data().batchSize());
        assertEquals(-5, c.seed());
        assertEquals(Precision.FP16, c.precision());
        assertEquals(0.5, c.clipGradNorm());
        assertEquals(List.of(DataConfig.Augment.FLIP), c.data().augment());
        assertEquals(0, c.data().workers());
        assertTrue(c.report().memory());
    }

    @Test
    void overridesCreateSectionsExpandShorthandsAndLaterOnesWin() {
        TrainConfig c = parse("model: transformer\ndata: {dataset: text, files: [x.txt]}\n",
                "model.blocks=4", "schedule.warmup_steps=10", "schedule.name=linear", "model.blocks=6");
        assertEquals(6, c.model().transformer().blocks());
        assertEquals(128, c.model().transformer().dModel());
        assertEquals(new ScheduleConfig(new ScheduleConfig.Linear(0), 10), c.schedule());
        assertEquals(ModelConfig.Kind.MLP, parse("model: {preset: cnn}", "model=mlp").model().kind());
        assertNull(parse("steps: 10", "steps=null").steps());
        assertNull(parse("steps: 10", "steps=").steps(), "an empty value is YAML null");
        assertEquals(ModelConfig.Kind.TRANSFORMER, parse("data: {dataset: text, files: [x.txt]}",
                "model={preset: transformer, heads: 8}").model().kind(), "a flow mapping replaces a section");
    }

    @Test
    void aliasesMapToTheirSections() {
        assertEquals(32, parse("batch_size: 32").data().batchSize());
        assertEquals(32, parse("data: mnist\nbatch_size: 32").data().batchSize(), "expands the data shorthand");
        assertEquals(0.5, parse("lr: 0.5").optim().lr());
        assertEquals(16, parse("data: {batch_size: 64}", "batch_size=16").data().batchSize(), "--set wins");
        assertEquals(0.2, parse("optim: sgd", "lr=0.2").optim().lr());
        assertEquals(8, parse("batch_size: 8\ndata: {batch_size: 8}").data().batchSize(), "equal values agree");
        ConfigException e = assertThrows(ConfigException.class, () -> parse("batch_size: 8\ndata: {batch_size: 16}"));
        assertEquals("batch_size", e.key());
        assertTrue(e.getMessage().contains("data.batch_size (16)"), e.getMessage());
    }

    @Test
    void numbersAreAcceptedInEveryYamlSpelling() {
        assertEquals(3e-4, parse("optim: {lr: 3e-4}").optim().lr());
        assertEquals(3e-4, parse("optim: {lr: 3.0e-4}").optim().lr());
        assertEquals(3e-4, parse("optim: {lr: '3e-4'}").optim().lr());
        assertEquals(1000L, parse("steps: 1e3").steps());
        assertEquals(64, parse("data: {batch_size: 64.0}").data().batchSize());
        assertEquals(false, parse("data: {normalize: no}").data().normalize());
    }

    @Test
    void errorsNameTheSourceTheKeyTheValueAndTheFix() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("optim: {name: adamx}"));
        assertEquals("run.yaml: optim.name: unknown optimizer 'adamx'; expected one of [sgd, adam, adamw, rmsprop,"
                + " adagrad, lamb, lars]", e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("optim: {lr: 0.1}", "optim.lr=-1"));
        assertEquals("--set optim.lr=-1", e.source());
        assertEquals("optim.lr", e.key());
        assertTrue(e.getMessage().contains("got -1.0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("data: {bacth_size: 3}"));
        assertEquals("data.bacth_size", e.key());
        assertTrue(e.problem().contains("did you mean 'batch_size'?"), e.problem());
        assertTrue(e.problem().contains("expected one of [dataset, dir, files"), e.problem());
    }

    @Test
    void distZeroIsReadWrittenAndChecked() {
        assertEquals(0, parse("epochs: 1").dist().zero());
        TrainConfig c = parse("epochs: 1", "dist.zero=2");
        assertEquals(2, c.dist().zero());
        assertEquals(c, ConfigLoader.parse(c.toYaml(), "back.yaml", List.of()));
        ConfigException e = assertThrows(ConfigException.class, () -> parse("dist: {zero: 3}"));
        assertEquals("dist.zero", e.key());
        e = assertThrows(ConfigException.class, () -> parse("precision: fp16", "dist.zero=1"));
        assertEquals("dist.zero", e.key());
        assertTrue(e.problem().contains("bf16"), e.problem());
        TrainConfig t = parse("dist: {compression: topk, topk_ratio: 0.1}");
        assertEquals(DistConfig.Compression.TOPK, t.dist().compression());
        assertEquals(0.1, t.dist().topkRatio());
        assertEquals(t, ConfigLoader.parse(t.toYaml(), "back.yaml", List.of()));
        e = assertThrows(ConfigException.class, () -> parse("precision: fp16", "dist.compression=topk"));
        assertEquals("dist.compression", e.key());
        assertTrue(e.problem().contains("residual keeps loss-scaled gradients"), e.problem());
        assertEquals(DistConfig.Compression.FP16, parse("precision: fp16", "dist.compression=fp16").dist()
                .compression());
        e = assertThrows(ConfigException.class, () -> parse("dist: {zero: 1, compression: bf16}"));
        assertEquals("dist.compression", e.key());
        e = assertThrows(ConfigException.class, () -> parse("dist: {compression: gzip}"));
        assertEquals("dist.compression", e.key());
    }

    @Test
    void unknownTopLevelKeyAndKeysOfOtherOptimizersAreErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("epoch: 3"));
        assertEquals("epoch", e.key());
        assertTrue(e.problem().contains("did you mean 'epochs'?"), e.problem());
        e = assertThrows(ConfigException.class, () -> parse("optim: {name: sgd, betas: [0.9, 0.99]}"));
        assertEquals("optim.betas", e.key());
        assertTrue(e.problem().contains("momentum"), e.problem());
        e = assertThrows(ConfigException.class, () -> parse("schedule: {name: cosine, gamma: 0.5}"));
        assertEquals("schedule.gamma", e.key());
        e = assertThrows(ConfigException.class, () -> parse("model: {preset: cnn, blocks: 2}"));
        assertEquals("model.blocks", e.key());
    }

    @Test
    void yamlProblemsAreReportedWithTheirPlace(@TempDir Path dir) throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("optim:\n  lr: [1,\n"));
        assertTrue(e.key().startsWith("line "), e.key());
        e = assertThrows(ConfigException.class, () -> parse("epochs: 1\nepochs: 2\n"));
        assertTrue(e.problem().contains("Duplicate"), e.problem());
        e = assertThrows(ConfigException.class, () -> parse("- a\n- b\n"));
        assertTrue(e.problem().contains("expected a mapping"), e.problem());
        e = assertThrows(ConfigException.class, () -> parse("", "steps"));
        assertTrue(e.problem().contains("key=value"), e.problem());
        e = assertThrows(ConfigException.class, () -> parse("", "optim..lr=1"));
        assertTrue(e.problem().contains("dotted key"), e.problem());
        e = assertThrows(ConfigException.class, () -> parse("data: {augment: [crop]}", "data.augment.x=1"));
        assertTrue(e.problem().contains("lists are replaced whole"), e.problem());
        Path missing = dir.resolve("nope.yaml");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, List.of()));
        assertTrue(e.problem().contains("not found"), e.problem());
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "epochs: 0\n");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of()));
        assertEquals(file.toString(), e.source());
        assertEquals("epochs", e.key());
    }

    @Test
    void anExplicitNullIsOnlyAllowedForNullableKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("optim: {lr: null}"));
        assertEquals("optim.lr", e.key());
        assertTrue(e.problem().contains("remove the key"), e.problem());
        assertNull(parse("threads: null").threads());
        assertFalse(parse("eval: {every_epochs: null}").eval().everyEpochs() != null);
    }
}
