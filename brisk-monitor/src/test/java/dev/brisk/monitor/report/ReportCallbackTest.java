package dev.brisk.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.data.DataLoader;
import dev.brisk.monitor.TinyRun;
import dev.brisk.nn.Module;
import dev.brisk.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real run ends with report.json and report.txt whose figures add up. */
class ReportCallbackTest {

    @Test
    void theRunDirGetsBothReports(@TempDir Path dir) throws Exception {
        Module m = TinyRun.model();
        try (DataLoader l = TinyRun.loader()) {
            Trainer t = TinyRun.trainer(m, l, 8, dir);
            ReportCallback cb = new ReportCallback(new RunContext(2, 16, 1, 0, 1, "fp32"), 1000, 1e9, null);
            t.addCallback(cb);
            t.fit();
        }
        JsonNode j = new ObjectMapper().readTree(dir.resolve(EfficiencyReport.JSON_FILE).toFile());
        assertEquals(8 - ReportCallback.WARMUP_STEPS, j.path("steps").asLong());
        assertTrue(j.path("samples_per_s").asDouble() > 0);
        double sum = 0;
        for (JsonNode f : j.path("step_time_fraction")) {
            sum += f.asDouble();
        }
        assertEquals(1.0, sum, 1e-6, "the step-time shares add up to the whole step");
        // 6·16 + 16 + 16·3 + 3 = 163 parameters of 4 bytes; Adam keeps two moments of each
        assertEquals(163 * 4, j.path("memory_bytes").path("parameters").asLong());
        assertEquals(2 * 163 * 4, j.path("memory_bytes").path("optimizer_state").asLong(), 64,
                "Adam's moments (plus a step counter)");
        assertTrue(j.path("suggestions").isArray() && j.path("suggestions").size() <= 3);
        String text = Files.readString(dir.resolve(EfficiencyReport.TEXT_FILE));
        assertTrue(text.startsWith("efficiency over 5 steps:"), text);
    }
}
