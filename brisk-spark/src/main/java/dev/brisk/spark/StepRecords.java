package dev.brisk.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.train.StepResult;
import java.util.List;

/** The per-rank step records: one compact JSON object per optimizer step. */
final class StepRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StepRecords() {
    }

    static String of(int rank, StepResult r, double lr) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "step");
        o.put("rank", rank);
        o.put("step", r.step());
        o.put("loss", r.loss());
        o.put("lr", lr);
        o.put("samples", r.samples());
        o.put("step_ms", r.stepMs());
        o.put("data_ms", r.dataMs());
        o.put("fwd_ms", r.fwdMs());
        o.put("bwd_ms", r.bwdMs());
        o.put("comm_ms", r.commMs());
        o.put("opt_ms", r.optMs());
        return o.toString();
    }

    static double meanStepMs(List<String> records, int skip) {
        double sum = 0;
        int n = 0;
        for (int i = skip; i < records.size(); i++) {
            try {
                JsonNode o = JSON.readTree(records.get(i));
                sum += o.path("step_ms").asDouble();
                n++;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("malformed step record: " + records.get(i), e);
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
