package dev.brisk.cli;

import static dev.brisk.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brisk train --profile} and the end-of-run efficiency report, end to end. */
class MonitorCommandsTest {

    @Test
    void aProfiledRunWritesTheTraceAndEveryRunTheReport(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        TrainCommandTest.writeSplit(data, "train", 128, 1);
        TrainCommandTest.writeSplit(data, "t10k", 32, 2);
        Path runDir = tmp.resolve("run");
        Object[] r = run("train", "--run-dir", runDir.toString(), "--set", "data.dir=" + data, "--set", "model=mlp",
                "--set", "data.batch_size=16", "--set", "data.workers=0", "--set", "steps=6", "--threads", "1",
                "--set", "profile.steps=2:4");
        assertEquals(0, r[0], r[2] + "\n" + r[1]);
        String out = (String) r[1];
        assertTrue(out.contains("efficiency over 3 steps"), out);
        assertTrue(out.contains("profile of steps 2..3"), out);
        JsonNode report = new ObjectMapper().readTree(runDir.resolve("report.json").toFile());
        assertTrue(report.path("samples_per_s").asDouble() > 0);
        assertTrue(report.path("mfu").asDouble() > 0, "the mlp's FLOPs are known, so MFU is measured");
        JsonNode trace = new ObjectMapper().readTree(runDir.resolve("trace.json").toFile());
        assertTrue(trace.path("traceEvents").size() > 10);
        assertTrue(Files.readString(runDir.resolve("config.yaml")).lines().noneMatch(l -> l.startsWith("profile")),
                "the profile window is not part of the training config");
    }

    @Test
    void aBadProfileWindowIsAUsageError(@TempDir Path tmp) {
        Object[] r = run("train", "--run-dir", tmp.resolve("run").toString(), "--set", "profile.steps=9:3");
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).contains("profile.steps"), (String) r[2]);
    }
}
