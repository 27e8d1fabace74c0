package dev.brisk.cli;

import static dev.brisk.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void infoListsBackendsAndPeak() {
        Object[] r = run("info");
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("reference"), out);
        assertTrue(out.contains("cpu"), out);
        assertTrue(out.matches("(?s).*FP32 peak .*GFLOP/s.*"), out);
    }

    @Test
    void benchGemmJsonIsTheLastLine() throws Exception {
        Object[] r = run("bench", "gemm", "--n", "64", "--steps", "3", "--seconds", "0.1", "--json");
        assertEquals(0, r[0], (String) r[2]);
        String[] lines = ((String) r[1]).strip().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("gemm", j.get("workload").asText());
        assertEquals("fp32", j.get("precision").asText());
        assertEquals("synthetic", j.get("data").asText());
        assertTrue(j.get("threads").asInt() >= 1);
        assertTrue(j.get("gflops").asDouble() > 0, j.toString());
        assertEquals("64x64x64 NN", j.get("results").get(0).get("shape").asText());
    }

    @Test
    void badInputExitsWithTwoAndNamesTheProblem() {
        Object[] unknown = run("bench", "nope");
        assertEquals(2, unknown[0]);
        assertTrue(((String) unknown[2]).contains("unknown workload 'nope'"), (String) unknown[2]);

        Object[] threads = run("bench", "gemm", "--threads", "0");
        assertEquals(2, threads[0]);
        assertTrue(((String) threads[2]).contains("--threads"), (String) threads[2]);

        Object[] precision = run("bench", "gemm", "--precision", "fp8");
        assertEquals(2, precision[0]);
        assertTrue(((String) precision[2]).contains("--precision"), (String) precision[2]);

        Object[] backend = run("info", "--backend", "nosuch");
        assertEquals(2, backend[0]);
        assertTrue(((String) backend[2]).contains("nosuch"), (String) backend[2]);
    }

    @Test
    void benchPipelineReportsTokensAndBubble() throws Exception {
        Object[] r = run("bench", "pipeline", "--blocks", "1", "--stages", "2", "--micro-batches", "2", "--batch", "4",
                "--steps", "1", "--json");
        assertEquals(0, r[0], (String) r[2]);
        String[] lines = ((String) r[1]).strip().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("pipeline", j.get("workload").asText());
        assertTrue(j.get("tokens_per_s").asDouble() > 0, j.toString());
        assertEquals(1.0 / 3, j.get("bubble_formula").asDouble(), 1e-3);
        assertTrue(j.has("bubble_fraction"), j.toString());
        assertEquals(2, j.get("per_stage").size());
        // 1F1B: stage s holds at most p − s micro-batches
        assertEquals(2, j.get("per_stage").get(0).get("peak_in_flight_micro_batches").asInt());
        assertEquals(1, j.get("per_stage").get(1).get("peak_in_flight_micro_batches").asInt());

        Object[] bad = run("bench", "pipeline", "--schedule", "zigzag");
        assertEquals(2, bad[0]);
        assertTrue(((String) bad[2]).contains("--schedule"), (String) bad[2]);
    }

    @Test
    void benchPsReportsTheStalenessHistogram() throws Exception {
        Object[] ps = run("bench", "ps", "--workers", "2", "--batch", "8", "--steps", "3", "--json");
        assertEquals(0, ps[0], (String) ps[2]);
        String[] lines = ((String) ps[1]).strip().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("ps", j.get("workload").asText());
        assertTrue(j.get("samples_per_s").asDouble() > 0, j.toString());
        long pushes = 0;
        for (JsonNode c : j.get("staleness")) {
            pushes += c.asLong();
        }
        assertEquals(6, pushes, j.toString());
    }
}
