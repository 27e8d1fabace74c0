package dev.brisk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brisk tune search} with real trial processes on a small crafted dataset. */
class TuneSearchCommandTest {

    @Test
    void runsTrialsAsTrainProcessesAndSummarises(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        TrainCommandTest.writeSplit(data, "train", 128, 1);
        TrainCommandTest.writeSplit(data, "t10k", 32, 2);
        Path space = tmp.resolve("space.yaml");
        Files.writeString(space, """
                optim.lr: {type: log_uniform, low: 1.0e-3, high: 1.0e-2}
                optim.name: {type: categorical, values: [adam, sgd]}
                """);
        Path dir = tmp.resolve("search");
        Object[] r = Cli.run("tune", "search", "--space", space.toString(), "--trials", "2",
                "--parallel", "2", "--sampler", "random", "--pruner", "none", "--search-dir", dir.toString(),
                "--threads", "1", "--set", "data.dir=" + data, "--set", "model=mlp", "--set", "data.batch_size=32",
                "--set", "data.workers=0", "--set", "steps=4", "--set", "eval.every_steps=2");
        assertEquals(0, r[0], r[2] + "\n" + r[1]);
        List<JsonNode> finals = Files.readAllLines(dir.resolve("trials.jsonl")).stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).filter(n -> !n.path("status").asText().equals("running")).toList();
        assertEquals(2, finals.size(), String.join("\n", Files.readAllLines(dir.resolve("trials.jsonl"))));
        for (JsonNode n : finals) {
            assertEquals("complete", n.path("status").asText(), n.toString());
            assertEquals(2, n.path("curve").size(), "evaluations at steps 2 and 4: " + n);
            Path trialDir = dir.resolve(n.path("run_dir").asText());
            assertTrue(Files.isRegularFile(trialDir.resolve("config.yaml")), "each trial is a normal run dir");
            assertTrue(Files.isRegularFile(trialDir.resolve("report.json")));
        }
        assertTrue(((String) r[1]).contains("train with: --set optim.lr="), (String) r[1]);
        assertTrue(Files.isRegularFile(dir.resolve("summary.txt")));
    }

    @Test
    void aSpaceWithAnUnknownConfigKeyIsAUsageError(@TempDir Path tmp) throws Exception {
        Path space = tmp.resolve("space.yaml");
        Files.writeString(space, "optim.learning_rate: {type: uniform, low: 0.1, high: 0.2}\n");
        Object[] r = Cli.run("tune", "search", "--space", space.toString(), "--search-dir",
                tmp.resolve("s").toString());
        assertEquals(2, r[0], (String) r[1]);
        assertTrue(((String) r[2]).contains("learning_rate"), (String) r[2]);
    }
}
