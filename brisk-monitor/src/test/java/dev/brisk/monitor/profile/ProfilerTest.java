package dev.brisk.monitor.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.data.DataLoader;
import dev.brisk.monitor.RunMonitoring;
import dev.brisk.monitor.TinyRun;
import dev.brisk.nn.Module;
import dev.brisk.tensor.OpTrace;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.config.ConfigLoader;
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

    /** Every module of the model and each one's direct children, in order: the objects the forward path calls. */
    private static List<Module> tree(Module m) {
        List<Module> out = new ArrayList<>();
        for (Module module : m.namedModules().values()) {
            out.add(module);
            out.addAll(module.namedChildren().values());
        }
        return out;
    }

    private static void assertSameTree(List<Module> expected, List<Module> actual, String when) {
        assertEquals(expected.size(), actual.size(), when);
        for (int i = 0; i < expected.size(); i++) {
            assertSame(expected.get(i), actual.get(i), when + ": module " + i);
        }
    }

    /** Checks after every step that the model is wrapped exactly while the next step is in {@code window}. */
    private static final class TreeCheck implements TrainerCallback {
        final Module model;
        final List<Module> original;
        final ProfileWindow window;
        final List<Long> wrappedBefore = new ArrayList<>();

        TreeCheck(Module model, ProfileWindow window) {
            this.model = model;
            this.original = tree(model);
            this.window = window;
        }

        @Override
        public void onFitStart(Trainer trainer) {
            check(trainer.step() + 1);
        }

        @Override
        public void afterStep(Trainer trainer, StepResult r) {
            check(r.step() + 1);
        }

        void check(long next) {
            if (window != null && window.contains(next)) {
                wrappedBefore.add(next);
                assertNotSame(original.get(1), tree(model).get(1), "wrapped before step " + next);
                assertTrue(OpTrace.get() instanceof Profiler, "op hook set before step " + next);
            } else {
                assertSameTree(original, tree(model), "before step " + next);
                assertNull(OpTrace.get(), "no op hook before step " + next);
            }
        }
    }

    @Test
    void outsideTheWindowTheModelIsTheUnprofiledOne(@TempDir Path dir) throws Exception {
        Module m = TinyRun.model();
        ProfileWindow window = new ProfileWindow(3, 5);
        TreeCheck check = new TreeCheck(m, window);
        try (DataLoader l = TinyRun.loader()) {
            Trainer t = TinyRun.trainer(m, l, 7, dir);
            t.addCallback(new Profiler(window, null, null));
            t.addCallback(check);
            t.fit();
        }
        assertEquals(List.of(3L, 4L), check.wrappedBefore, "wrapped for the window's steps only");
        assertSameTree(check.original, tree(m), "after the run");
        Path trace = dir.resolve(Profiler.TRACE_FILE);
        assertEquals(List.of("step 3", "step 4"),
                events(trace, Profiler.STEPS).stream().map(e -> e.path("name").asText()).toList());
        List<String> layers = events(trace, Profiler.LAYERS).stream().map(e -> e.path("name").asText()).toList();
        assertEquals(2, layers.stream().filter("0 Linear forward"::equals).count(), layers.toString());
        assertEquals(2, layers.stream().filter("2 Linear backward"::equals).count(), layers.toString());
        assertFalse(events(trace, Profiler.OPS).isEmpty(), "backward ops of the window are recorded");
    }

    @Test
    void aRunThatFailsInsideTheWindowGetsItsModelBack(@TempDir Path dir) throws Exception {
        Module m = TinyRun.model();
        List<Module> original = tree(m);
        try (DataLoader l = TinyRun.loader()) {
            Trainer t = TinyRun.trainer(m, l, 7, dir);
            t.addCallback(new Profiler(new ProfileWindow(2, 5), null, null));
            t.addCallback(new TrainerCallback() {
                @Override
                public void afterStep(Trainer trainer, StepResult r) {
                    if (r.step() == 3) {
                        assertNotSame(original.get(1), tree(m).get(1), "wrapped inside the window");
                        throw new IllegalStateException("failure inside the window");
                    }
                }
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, t::fit);
            assertEquals("failure inside the window", e.getMessage());
        }
        assertSameTree(original, tree(m), "after the failed run");
        assertNull(OpTrace.get(), "no op hook left behind");
    }

    @Test
    void withoutAProfileNothingIsInstalled(@TempDir Path dir) throws Exception {
        Module m = TinyRun.model();
        TreeCheck check = new TreeCheck(m, null);
        try (DataLoader l = TinyRun.loader()) {
            Trainer t = TinyRun.trainer(m, l, 4, dir);
            RunMonitoring.attach(t, ConfigLoader.load(List.of()), 1, 0, 1e9, null, null);
            t.addCallback(check);
            t.fit();
        }
        assertSameTree(check.original, tree(m), "after the run");
        assertFalse(Files.exists(dir.resolve(Profiler.TRACE_FILE)));
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
