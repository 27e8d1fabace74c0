package dev.brisk.monitor.profile;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events in the Chrome trace event format (complete events, {@code "ph": "X"}, microseconds), as read by Perfetto
 * and chrome://tracing. Each track is a thread of one process; a track's events must nest or follow each other.
 */
public final class ChromeTrace {

    /** One span on a track; times in nanoseconds of System.nanoTime. */
    public record Span(int track, String name, String category, long startNanos, long endNanos, long step) {
    }

    private final long originNanos;
    private final Map<Integer, String> tracks = new LinkedHashMap<>();
    private final List<Span> spans = new ArrayList<>();

    public ChromeTrace(long originNanos) {
        this.originNanos = originNanos;
    }

    public void track(int id, String name) {
        tracks.put(id, name);
    }

    public void add(Span s) {
        spans.add(s);
    }

    public List<Span> spans() {
        return spans;
    }

    /** Writes {@code {"traceEvents": [...]}} to {@code file} (through a temporary file, so it is never half-written). */
    public void write(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (JsonGenerator g = new JsonFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("displayTimeUnit", "ms");
                g.writeArrayFieldStart("traceEvents");
                g.writeStartObject();
                g.writeStringField("ph", "M");
                g.writeStringField("name", "process_name");
                g.writeNumberField("pid", 1);
                g.writeObjectFieldStart("args");
                g.writeStringField("name", "brisk train");
                g.writeEndObject();
                g.writeEndObject();
                for (var t : tracks.entrySet()) {
                    g.writeStartObject();
                    g.writeStringField("ph", "M");
                    g.writeStringField("name", "thread_name");
                    g.writeNumberField("pid", 1);
                    g.writeNumberField("tid", t.getKey());
                    g.writeObjectFieldStart("args");
                    g.writeStringField("name", t.getValue());
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeStartObject();
                    g.writeStringField("ph", "M");
                    g.writeStringField("name", "thread_sort_index");
                    g.writeNumberField("pid", 1);
                    g.writeNumberField("tid", t.getKey());
                    g.writeObjectFieldStart("args");
                    g.writeNumberField("sort_index", t.getKey());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                for (Span s : spans) {
                    g.writeStartObject();
                    g.writeStringField("ph", "X");
                    g.writeStringField("name", s.name());
                    g.writeStringField("cat", s.category());
                    g.writeNumberField("pid", 1);
                    g.writeNumberField("tid", s.track());
                    g.writeNumberField("ts", (s.startNanos() - originNanos) / 1e3);
                    g.writeNumberField("dur", Math.max(0, s.endNanos() - s.startNanos()) / 1e3);
                    g.writeObjectFieldStart("args");
                    g.writeNumberField("step", s.step());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace " + file, e);
        }
    }
}
