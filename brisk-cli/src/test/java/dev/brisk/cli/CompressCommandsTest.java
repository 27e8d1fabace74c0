package dev.brisk.cli;

import static dev.brisk.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.train.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code brisk prune}, {@code brisk quantize} and the {@code quant}/{@code distill} sections of {@code brisk train}
 * end to end on a small crafted IDX dataset: the outputs are runs that the other commands read.
 */
class CompressCommandsTest {

    private static void ok(Object[] r) {
        assertEquals(0, r[0], r[2] + "\n" + r[1]);
    }

    @Test
    void pruneQuantizeQatAndDistill(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        TrainCommandTest.writeSplit(data, "train", 128, 1);
        TrainCommandTest.writeSplit(data, "t10k", 64, 2);
        String[] common = {"--set", "data.dir=" + data, "--set", "data.workers=0", "--set", "batch_size=32",
            "--set", "data.augment=[]", "--threads", "1", "--set", "model={layers: [{conv2d: {out: 8, kernel: 3, "
            + "padding: 1, bias: false}}, batchnorm, relu, {maxpool: 4}, flatten, {linear: 16}, relu, {linear: 10}]}"};
        Path base = tmp.resolve("base");
        ok(run(concat(new String[] {"train", "--set", "steps=8", "--run-dir", base.toString()}, common)));

        Path pruned = tmp.resolve("pruned");
        Object[] p = run("prune", base.toString(), "--sparsity", "0.5", "--structured", "--finetune-epochs", "1",
                "--timing-batches", "2", "--run-dir", pruned.toString(), "--threads", "1");
        ok(p);
        assertTrue(((String) p[1]).contains("layer 0 conv2d: 8 → 4 channels"), (String) p[1]);
        assertTrue(Files.readString(pruned.resolve("config.yaml")).contains("conv2d"), "the pruned layer list");
        JsonNode report = new ObjectMapper().readTree(pruned.resolve("compression.json").toFile());
        assertTrue(report.at("/after/parameters").asLong() < report.at("/before/parameters").asLong() / 2);
        ok(run("eval", pruned.toString(), "--threads", "1")); // the pruned run is an ordinary run

        Path masked = tmp.resolve("masked");
        ok(run("prune", base.toString(), "--sparsity", "0.7", "--global", "--timing-batches", "2", "--run-dir",
                masked.toString(), "--threads", "1"));

        Path gradual = tmp.resolve("gradual");
        ok(run("prune", base.toString(), "--sparsity", "0.6", "--gradual", "--finetune-epochs", "1",
                "--timing-batches", "2", "--run-dir", gradual.toString(), "--threads", "1"));
        double sparsity = new ObjectMapper().readTree(gradual.resolve("compression.json").toFile())
                .get("weight_sparsity").asDouble();
        assertTrue(sparsity >= 0.59 && sparsity <= 0.61, "the schedule reached its target: " + sparsity);

        Path int8 = tmp.resolve("int8");
        Object[] q = run("quantize", pruned.toString(), "--calibration-batches", "2", "--timing-batches", "2",
                "--run-dir", int8.toString(), "--threads", "1");
        ok(q);
        long fp32 = Files.size(Checkpoints.latest(pruned).orElseThrow().resolve("model.safetensors"));
        long i8 = Files.size(int8.resolve("model.int8.safetensors"));
        // a tiny model's file is mostly header and per-channel scales; cnn-bn's is 0.25× (docs/COMPRESSION.md)
        assertTrue(i8 < 0.5 * fp32, i8 + " vs " + fp32);

        Path student = tmp.resolve("student");
        Object[] d = run(concat(new String[] {"train", "--set", "steps=4", "--set", "quant.qat=true", "--set",
            "quant.observer_steps=2", "--set", "distill.teacher=" + base, "--set", "distill.temperature=2",
            "--run-dir", student.toString()}, common));
        ok(d);
        assertTrue(((String) d[1]).contains("distilling from"), (String) d[1]);
        assertTrue(Files.readString(student.resolve("config.yaml")).contains("qat: true"));
        ok(run("eval", student.toString(), "--threads", "1")); // QAT keeps the plain model's state dict

        Object[] bad = run(concat(new String[] {"train", "--set", "steps=1", "--set",
            "distill.teacher=" + tmp.resolve("nowhere"), "--run-dir", tmp.resolve("bad").toString()}, common));
        assertEquals(2, bad[0]);
        assertTrue(((String) bad[2]).contains("is not a Brisk run directory"), (String) bad[2]);
        Object[] badSparsity = run("prune", base.toString(), "--sparsity", "1.5", "--run-dir",
                tmp.resolve("bad-prune").toString());
        assertEquals(2, badSparsity[0]);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
