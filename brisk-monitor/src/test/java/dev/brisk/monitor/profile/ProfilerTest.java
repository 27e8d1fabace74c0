package dev.brisk.monitor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.data.DataLoader;
import dev.brisk.monitor.TinyRun;
import dev.brisk.nn.Module;
import dev.brisk.tensor.OpTrace;
import dev.brisk.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profiler records exactly its window, per phase, layer and backward op, and leaves the model as it was. */
class ProfilerTest {

    private static List<JsonNode> events(Path trace, int tid) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(trace.toFile()).path("traceEvents")) {
            if (e.path("ph").asText().equals("X") && e.path("tid").asInt() == tid) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void recordsTheWindowAsAChromeTrace(@TempDir Path dir) throws Exception {
        Module m = TinyRun.model();
        Set<String> keysBefore = m.stateDict().keySet();
        try (DataLoader l = TinyRun.loader()) {
            Trainer t = TinyRun.trainer(m, l, 6, dir);
            t.addCallback(new Profiler(new ProfileWindow(2, 4), null, null));
            t.fit();
        }
        assertNull(OpTrace.get(), "the op hook is unset after the window");
        assertEquals(keysBefore, m.stateDict().keySet(), "instrumenting keeps the state dict names");
        Path trace = dir.resolve(Profiler.TRACE_FILE);
        List<String> steps = events(trace, Profiler.STEPS).stream().map(e -> e.path("name").asText()).toList();
        assertEquals(List.of("step 2", "step 3"), steps);
        Set<String> phases = new TreeSet<>();
        events(trace, Profiler.PHASES).forEach(e -> phases.add(e.path("name").asText()));
        assertTrue(phases.containsAll(Set.of("data", "forward", "backward", "optimizer")), phases.toString());
        List<String> layers = events(trace, Profiler.LAYERS).stream().map(e -> e.path("name").asText()).toList();
        for (String layer : List.of("0 Linear", "1 ReLU", "2 Linear")) {
            assertEquals(2, layers.stream().filter((layer + " forward")::equals).count(), layer + " " + layers);
            assertEquals(2, layers.stream().filter((layer + " backward")::equals).count(), layer + " " + layers);
        }
        // backward runs from the last layer to the first
        assertTrue(layers.indexOf("2 Linear backward") < layers.indexOf("0 Linear backward")
                || startOf(trace, "2 Linear backward") <= startOf(trace, "0 Linear backward"));
        List<JsonNode> ops = events(trace, Profiler.OPS);
        assertFalse(ops.isEmpty(), "backward ops are recorded");
        assertTrue(ops.stream().allMatch(e -> Set.of(2L, 3L).contains(e.path("args").path("step").asLong())),
                "no op outside the window");
        assertTrue(ops.stream().noneMatch(e -> e.path("name").asText().equals("profile_mark")));
        String summary = Files.readString(dir.resolve(Profiler.SUMMARY_FILE));
        assertTrue(summary.contains("layer 2 Linear backward"), summary);
    }

    private static double startOf(Path trace, String name) throws Exception {
        return events(trace, Profiler.LAYERS).stream().filter(e -> e.path("name").asText().equals(name))
                .mapToDouble(e -> e.path("ts").asDouble()).min().orElseThrow();
    }

    @Test
    void aWindowBeyondTheRunRecordsNothing(@TempDir Path dir) throws Exception {
        Module m = TinyRun.model();
        Profiler p = new Profiler(new ProfileWindow(50, 60), null, null);
        try (DataLoader l = TinyRun.loader()) {
            Trainer t = TinyRun.trainer(m, l, 4, dir);
            t.addCallback(p);
            t.addCallback(new dev.brisk.train.TrainerCallback() {
                @Override
                public void afterStep(Trainer tr, dev.brisk.train.StepResult r) {
                    assertNull(OpTrace.get(), "never armed");
                }
            });
            t.fit();
        }
        assertTrue(p.trace().spans().isEmpty());
    }

    @Test
    void windowsParseAndComeOutOfTheOverrides() {
        assertEquals(new ProfileWindow(10, 20), ProfileWindow.parse("10:20"));
        assertThrows(IllegalArgumentException.class, () -> ProfileWindow.parse("20:10"));
        assertThrows(IllegalArgumentException.class, () -> ProfileWindow.parse("0:5"));
        assertThrows(IllegalArgumentException.class, () -> ProfileWindow.parse("ten"));
        List<String> sets = new ArrayList<>(List.of("steps=100", "profile.steps=3:7", "optim.lr=0.1"));
        assertEquals(new ProfileWindow(3, 7), ProfileWindow.extract(sets));
        assertEquals(List.of("steps=100", "optim.lr=0.1"), sets);
        assertNull(ProfileWindow.extract(sets));
    }
}
