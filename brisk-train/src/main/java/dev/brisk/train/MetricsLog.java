package dev.brisk.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code metrics.jsonl}: one JSON object per line, appended and flushed as it is written so that a dashboard can
 * tail it and a crash loses at most the line being written. Step records carry the DESIGN §8 schema
 * ({@code step, epoch, loss, lr, grad_norm, samples_per_s, tokens_per_s, step_ms, data_ms, fwd_ms, bwd_ms,
 * comm_ms, opt_ms, mfu, heap_bytes}); other records (evaluation, epoch summaries, memory reports) have a
 * {@code "kind"} field. {@code comm_ms} is the gradient synchronisation a data-parallel step waited for after
 * backward (0 in one process); distributed runs add {@code comm_total_ms}, all of the step's gradient
 * communication including what overlapped backward.
 */
public final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    public MetricsLog(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metrics file " + file, e);
        }
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public synchronized void write(ObjectNode record) {
        try {
            out.write(JSON.writeValueAsString(record));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics", e);
        }
    }

    /** The standard per-step record. */
    public static ObjectNode stepRecord(StepResult r, int epoch, double lr, double mfu, long heapBytes) {
        ObjectNode o = object();
        o.put("step", r.step());
        o.put("epoch", epoch);
        o.put("loss", r.loss());
        o.put("lr", lr);
        o.put("grad_norm", r.gradNorm());
        double secs = r.stepMs() / 1e3;
        o.put("samples_per_s", secs > 0 ? r.samples() / secs : 0);
        o.put("tokens_per_s", secs > 0 ? r.tokens() / secs : 0);
        o.put("step_ms", r.stepMs());
        o.put("data_ms", r.dataMs());
        o.put("fwd_ms", r.fwdMs());
        o.put("bwd_ms", r.bwdMs());
        o.put("comm_ms", r.commMs());
        if (r.commTotalMs() > 0) {
            o.put("comm_total_ms", r.commTotalMs());
        }
        o.put("opt_ms", r.optMs());
        o.put("mfu", mfu);
        o.put("heap_bytes", heapBytes);
        if (r.skipped()) {
            o.put("skipped", true);
        }
        return o;
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
