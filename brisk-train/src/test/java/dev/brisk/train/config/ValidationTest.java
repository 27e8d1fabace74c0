package dev.brisk.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation rule rejects its bad value with the full key and a message saying what is allowed. */
class ValidationTest {

    static Stream<Arguments> badConfigs() {
        String text = "data: {dataset: text, files: [t.txt]}\n";
        return Stream.of(
                // top level
                Arguments.of("epochs: 0", "epochs", "must be ≥ 1, got 0"),
                Arguments.of("epochs: ten", "epochs", "expected a whole number, got 'ten'"),
                Arguments.of("steps: 0", "steps", "must be ≥ 1"),
                Arguments.of("steps: 2.5", "steps", "expected a whole number, got 2.5"),
                Arguments.of("accumulation: 0", "accumulation", "1..65536"),
                Arguments.of("clip_grad_norm: 0", "clip_grad_norm", "> 0"),
                Arguments.of("clip_grad_norm: [1]", "clip_grad_norm", "expected a number"),
                Arguments.of("threads: 0", "threads", "1..1024"),
                Arguments.of("seed: abc", "seed", "whole number"),
                Arguments.of("precision: fp8", "precision", "unknown precision 'fp8'; expected one of [fp32, bf16, "
                        + "fp16]"),
                // model
                Arguments.of("model: resnet", "model.preset", "unknown model 'resnet'; expected one of [mlp, cnn, "
                        + "cnn-bn, transformer]"),
                Arguments.of("model: [mlp]", "model", "expected a mapping or a preset"),
                Arguments.of(text + "model: {preset: transformer, heads: 3}", "model.heads", "not divisible"),
                Arguments.of(text + "model: {preset: transformer, blocks: 0}", "model.blocks", "1..1024"),
                Arguments.of(text + "model: {preset: transformer, d_model: 0}", "model.d_model", "≥ 1"),
                Arguments.of(text + "model: {preset: transformer, vocab: 1}", "model.vocab", "2..65536"),
                Arguments.of(text + "model: {preset: transformer, mlp_ratio: 0}", "model.mlp_ratio", "1..64"),
                Arguments.of(text + "model: {preset: transformer, dropout: 1}", "model.dropout", "[0, 1)"),
                Arguments.of(text + "model: {preset: transformer, tied: maybe}", "model.tied", "true or false"),
                Arguments.of(text + "model: {preset: transformer, seq_len: 16}", "data.seq_len",
                        "longer than model.seq_len 16"),
                Arguments.of("model: transformer", "data.dataset", "trains on data.dataset: text"),
                Arguments.of(text + "model: mlp", "model", "use model: transformer"),
                Arguments.of("model: {preset: cnn, layers: [relu]}", "model.layers", "cannot be combined"),
                Arguments.of("model: {layers: []}", "model.layers", "at least one layer"),
                Arguments.of("model: {layers: [softmaxx]}", "model.layers[0]", "unknown layer 'softmaxx'"),
                Arguments.of("model: {layers: [{linear: 10, relu: 1}]}", "model.layers[0]", "one-key mapping"),
                Arguments.of("model: {layers: [linear]}", "model.layers[0].linear.out", "is required, e.g. "
                        + "{linear: 10}"),
                Arguments.of("model: {layers: [{linear: 0}]}", "model.layers[0].linear.out", "must be ≥ 1, got 0"),
                Arguments.of("model: {layers: [flatten, {conv2d: {out: 8, kernel: 0}}]}",
                        "model.layers[1].conv2d.kernel", "must be ≥ 1"),
                Arguments.of("model: {layers: [{conv2d: {out: 8, kernal: 3}}]}", "model.layers[0].conv2d.kernal",
                        "did you mean 'kernel'?"),
                Arguments.of("model: {layers: [{maxpool: {stride: 2}}]}", "model.layers[0].maxpool.kernel",
                        "is required"),
                Arguments.of("model: {layers: [{dropout: 1.5}]}", "model.layers[0].dropout.p", "[0, 1)"),
                Arguments.of("model: {layers: [{relu: {inplace: true}}]}", "model.layers[0].relu.inplace",
                        "unknown key"),
                // data
                Arguments.of("data: {dataset: imagenet}", "data.dataset", "unknown dataset 'imagenet'; expected one"
                        + " of [fashion-mnist, mnist, cifar10, csv, text]"),
                Arguments.of("data: {batch_size: 0}", "data.batch_size", "1..65536, got 0"),
                Arguments.of("data: {workers: -1}", "data.workers", "0..256"),
                Arguments.of("data: {augment: [rotate]}", "data.augment[0]", "unknown augmentation 'rotate'; "
                        + "expected one of [crop, flip, erase]"),
                Arguments.of("data: {augment: [flip, flip]}", "data.augment", "twice"),
                Arguments.of("data: {files: [a.csv]}", "data.files", "files is for csv and text"),
                Arguments.of("data: {dataset: csv, files: [a.csv]}", "data.label_column", "needs the header name"),
                Arguments.of("data: {label_column: y}", "data.label_column", "only csv data"),
                Arguments.of("data: {dataset: csv, label_column: y}", "data.files", "at least one training file"),
                Arguments.of("data: {dataset: csv, files: [a.csv], label_column: y, dir: /d}", "data.dir",
                        "dir is for the image datasets"),
                Arguments.of("data: {dataset: csv, files: [a.csv], label_column: y, augment: [flip]}",
                        "data.augment", "augmentations are for images"),
                Arguments.of("data: {dir: ' '}", "data.dir", "blank"),
                Arguments.of("data: {seq_len: 0}", "data.seq_len", "≥ 1"),
                Arguments.of("data: {mixup: -1}", "data.mixup", "≥ 0"),
                Arguments.of("model: transformer\ndata: {dataset: text, files: [t], mixup: 0.2}",
                        "data.mixup", "text data has none"),
                Arguments.of("data: {limit: 0}", "data.limit", "≥ 1"),
                Arguments.of("data: {holdout: 1}", "data.holdout", "[0, 1)"),
                Arguments.of("data: {files: {a: 1}}", "data.files", "expected a list"),
                // optim
                Arguments.of("optim: {lr: 0}", "optim.lr", "> 0, got 0.0"),
                Arguments.of("optim: {lr: fast}", "optim.lr", "expected a number, got 'fast'"),
                Arguments.of("optim: {weight_decay: -0.1}", "optim.weight_decay", "≥ 0"),
                Arguments.of("optim: {betas: [0.9]}", "optim.betas", "two numbers"),
                Arguments.of("optim: {betas: [0.9, 1.0]}", "optim.betas", "[0, 1)"),
                Arguments.of("optim: {eps: 0}", "optim.eps", "> 0"),
                Arguments.of("optim: {name: sgd, momentum: 1}", "optim.momentum", "[0, 1)"),
                Arguments.of("optim: {name: sgd, momentum: 0, nesterov: true}", "optim", "Nesterov"),
                Arguments.of("optim: {name: rmsprop, alpha: 1}", "optim.alpha", "[0, 1)"),
                Arguments.of("optim: {name: lars, trust_coefficient: 0}", "optim", "trustCoefficient"),
                Arguments.of("optim: {decay_mask: some}", "optim.decay_mask", "unknown decay mask 'some'; "
                        + "expected one of [default, all]"),
                // schedule
                Arguments.of("schedule: sawtooth", "schedule.name", "unknown schedule 'sawtooth'; expected one of"
                        + " [constant, step, multistep, exponential, linear, polynomial, cosine, onecycle, plateau]"),
                Arguments.of("schedule: {warmup_steps: -1}", "schedule.warmup_steps", "≥ 0"),
                Arguments.of("steps: 10\nschedule: {warmup_steps: 10}", "schedule.warmup_steps", "make it shorter"),
                Arguments.of("schedule: step", "schedule.step_size", "is required"),
                Arguments.of("schedule: {name: step, step_size: 100, gamma: 2}", "schedule.gamma", "(0, 1]"),
                Arguments.of("schedule: multistep", "schedule.milestones", "is required"),
                Arguments.of("schedule: {name: multistep, milestones: [20, 10]}", "schedule.milestones",
                        "strictly increasing"),
                Arguments.of("schedule: exponential", "schedule.gamma", "is required"),
                Arguments.of("schedule: {name: polynomial, power: 0}", "schedule.power", "> 0"),
                Arguments.of("schedule: {name: cosine, min_lr: -1}", "schedule.min_lr", "≥ 0"),
                Arguments.of("schedule: {name: cosine, restart_mult: 2}", "schedule.restart_mult",
                        "only applies with restart_period"),
                Arguments.of("schedule: {name: cosine, restart_period: 0}", "schedule.restart_period", "≥ 1"),
                Arguments.of("schedule: {name: onecycle, pct_start: 1}", "schedule.pct_start", "(0, 1)"),
                Arguments.of("schedule: {name: onecycle, div_factor: 0.5}", "schedule.div_factor", "≥ 1"),
                Arguments.of("schedule: {name: plateau, metric: loss}", "schedule.metric", "unknown metric 'loss';"
                        + " expected one of [val_loss, val_accuracy]"),
                Arguments.of("schedule: {name: plateau, factor: 1}", "schedule.factor", "(0, 1)"),
                Arguments.of("schedule: {name: plateau, patience: -1}", "schedule.patience", "≥ 0"),
                Arguments.of("schedule: plateau\neval: {every_epochs: null}", "schedule.name", "eval is off"),
                // eval, checkpoint, report, memory
                Arguments.of("eval: {every_steps: 0}", "eval.every_steps", "≥ 1"),
                Arguments.of("eval: {every_epochs: 0}", "eval.every_epochs", "≥ 1"),
                Arguments.of("eval: {early_stopping: 0}", "eval.early_stopping", "≥ 1"),
                Arguments.of("eval: {every_epochs: null, early_stopping: 2}", "eval.early_stopping",
                        "needs evaluations"),
                Arguments.of("eval: 3", "eval", "expected a mapping, got 3"),
                Arguments.of("checkpoint: {keep: 0}", "checkpoint.keep", "≥ 1"),
                Arguments.of("checkpoint: {every_steps: 0}", "checkpoint.every_steps", "≥ 1"),
                Arguments.of("report: {every_steps: 0}", "report.every_steps", "≥ 1"),
                Arguments.of("report: {memory: 2}", "report.memory", "true or false"),
                Arguments.of("memory: all", "memory.checkpoint", "unknown checkpointing 'all'; expected one of "
                        + "[none, blocks]"),
                Arguments.of("memory: blocks", "memory.checkpoint", "model cnn-bn has none"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("badConfigs")
    void rejectsWithTheFullKey(String yaml, String key, String message) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "bad.yaml", List.of()));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.problem().contains(message), "message '" + e.getMessage() + "' should contain '" + message + "'");
        assertTrue(e.getMessage().startsWith("bad.yaml: " + key + ": "), e.getMessage());
    }

    @ParameterizedTest(name = "--set {1}")
    @MethodSource("badConfigs")
    void overridesAreValidatedTheSameWay(String yaml, String key, String message) {
        // the same YAML given as one override of the whole top level is not possible; instead re-apply the file's
        // values through --set where the bad key is a simple top-level scalar
        if (!yaml.matches("[a-z_]+: [^\\n{\\[]+") || !key.startsWith(yaml.split(":")[0])) {
            return; // only single top-level scalars whose error is about the key they set
        }
        String[] kv = yaml.split(": ", 2);
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("", null, List.of(kv[0] + "=" + kv[1])));
        assertEquals("--set " + kv[0] + "=" + kv[1], e.source(), e.getMessage());
        assertTrue(e.problem().contains(message), e.getMessage());
    }
}
