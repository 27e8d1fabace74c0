package dev.brisk.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code parse(toYaml(c))} equals {@code c}: the run directory's config.yaml reproduces the run. */
class RoundTripTest {

    static Stream<String> configs() {
        String text = "data: {dataset: text, files: [a.txt], test_files: [b.txt], seq_len: 32}\n";
        Stream<String> optimizers = OptimConfig.NAMES.stream().map(n -> "optim: {name: " + n + ", lr: 0.0003}");
        Stream<String> schedules = Stream.of("constant", "{name: step, step_size: 100, gamma: 0.5}",
                "{name: multistep, milestones: [10, 20, 40]}", "{name: exponential, gamma: 0.999}",
                "{name: linear, end_lr: 1.0e-5, warmup_steps: 5}", "{name: polynomial, power: 2}",
                "{name: cosine, restart_period: 100, restart_mult: 2}", "onecycle",
                "{name: plateau, metric: val_accuracy, patience: 2}").map(s -> "schedule: " + s);
        Stream<String> others = Stream.of("",
                "model: mlp\ndata: {dataset: mnist, dir: /data/mnist, augment: [], normalize: false}",
                "model: cnn\ndata: {dataset: cifar10, augment: [crop, flip, erase], mixup: 0.2, limit: 100}",
                "data: {dataset: csv, files: [iris.csv], label_column: species, holdout: 0.2, drop_last: true}\n"
                        + "model: {layers: [{linear: 32}, relu, batchnorm, {dropout: 0.1}, {linear: {out: 3, bias: false}}]}",
                "model: {layers: [{conv2d: {out: 8, kernel: 5, stride: 2, padding: 2, bias: false}}, gelu, "
                        + "{maxpool: 2}, {avgpool: {kernel: 3, stride: 1}}, layernorm, silu, tanh, sigmoid, flatten, "
                        + "{linear: 10}]}",
                text + "model: {preset: transformer, blocks: 1, tied: true, dropout: 0.1}\nmemory: blocks",
                "steps: 1000\nprecision: fp16\nthreads: 2\nclip_grad_norm: 0.5\naccumulation: 3\nseed: -1\n"
                        + "eval: {every_steps: 100, early_stopping: 4}\ncheckpoint: {every_steps: 50, "
                        + "every_epochs: null, keep: 1}\nreport: {memory: true, every_steps: 1}");
        return Stream.of(optimizers, schedules, others).flatMap(s -> s);
    }

    @ParameterizedTest
    @MethodSource("configs")
    void toYamlReadsBackEqual(String yaml) {
        TrainConfig c = ConfigLoader.parse(yaml, "in.yaml", List.of());
        String written = c.toYaml();
        TrainConfig back = ConfigLoader.parse(written, "written.yaml", List.of());
        assertEquals(c, back, written);
        assertEquals(written, back.toYaml(), "writing is stable");
    }

    @ParameterizedTest
    @MethodSource("configs")
    void theWrittenFileSpellsOutEveryDefault(String yaml) {
        String written = ConfigLoader.parse(yaml, "in.yaml", List.of()).toYaml();
        for (String key : List.of("model:", "data:", "batch_size:", "optim:", "lr:", "schedule:", "warmup_steps:",
                "precision:", "epochs:", "steps:", "accumulation:", "clip_grad_norm:", "eval:", "checkpoint:",
                "seed:", "threads:", "report:", "memory:")) {
            assertTrue(written.contains(key), key + " missing from\n" + written);
        }
    }
}
