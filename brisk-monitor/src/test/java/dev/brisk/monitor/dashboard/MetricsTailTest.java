package dev.brisk.monitor.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following metrics.jsonl: each complete line once, partial lines when complete, truncation and replacement. */
class MetricsTailTest {

    private static List<String> poll(MetricsTail tail) throws Exception {
        List<String> lines = new ArrayList<>();
        tail.poll((b, start, len, after) -> lines.add(new String(b, start, len, StandardCharsets.UTF_8) + "@" + after));
        return lines;
    }

    private static void append(Path f, String text) throws Exception {
        Files.writeString(f, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void handsOutEachCompleteLineOnce(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        MetricsTail tail = new MetricsTail(f, 0);
        assertEquals(List.of(), poll(tail), "no file yet");
        append(f, "{\"step\":1}\n{\"step\":2}\r\n\n{\"ste");
        assertEquals(List.of("{\"step\":1}@11", "{\"step\":2}@23"), poll(tail), "CRLF and blank lines dropped");
        assertEquals(List.of(), poll(tail), "nothing new; the partial line waits");
        append(f, "p\":3}\n");
        assertEquals(List.of("{\"step\":3}@35"), poll(tail));
        assertEquals(35, tail.offset());
        assertEquals(List.of("{\"step\":3}@35"), poll(new MetricsTail(f, 24)), "resumes at a given offset");
    }

    @Test
    void startsOverWhenTheFileIsTruncatedOrReplaced(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        append(f, "{\"a\":1}\n{\"a\":2}\n");
        MetricsTail tail = new MetricsTail(f, 0);
        assertEquals(2, poll(tail).size());
        Files.writeString(f, "{\"b\":1}\n"); // truncated and rewritten, shorter
        assertEquals(List.of("{\"b\":1}@8"), poll(tail));
        Path other = dir.resolve("next.jsonl");
        Files.writeString(other, "{\"c\":1}\n{\"c\":2}\n{\"c\":3}\n"); // longer: only the file key tells
        Files.move(other, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(List.of("{\"c\":1}@8", "{\"c\":2}@16", "{\"c\":3}@24"), poll(tail));
    }
}
