package dev.brisk.monitor.profile;

import dev.brisk.nn.LayerTiming;
import dev.brisk.tensor.OpTrace;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Records the steps of a {@link ProfileWindow} as a Chrome trace ({@code trace.json}) and a summary
 * ({@code profile.txt}): per step, the phases (data, forward, backward, exposed communication, optimizer) laid out
 * from the step's own timings; per layer, forward and backward spans (see {@link LayerTiming}); and every
 * backward op. The layer wrappers and the op hook are installed just before the window's first step and removed
 * after its last one (through the {@link TrainerCallback} hooks), so outside the window the model runs exactly its
 * unprofiled forward and backward path. The files are written as soon as the window's last step is done (or when
 * the run ends earlier).
 */
public final class Profiler implements TrainerCallback, LayerTiming.Listener, OpTrace.Listener {

    public static final String TRACE_FILE = "trace.json";
    public static final String SUMMARY_FILE = "profile.txt";

    static final int STEPS = 1;
    static final int PHASES = 2;
    static final int LAYERS = 3;
    static final int OPS = 4;
    private static final String MARK = "profile_mark";

    private final ProfileWindow window;
    private final Path outDir;
    private final PrintStream console;
    private final ChromeTrace trace = new ChromeTrace(System.nanoTime());
    private final Map<String, Deque<Long>> openBackward = new HashMap<>();
    private final Map<String, double[]> totals = new LinkedHashMap<>(); // name -> {ms, count}
    private LayerTiming.Instrumentation layers; // non-null exactly while recording
    private long currentStep;
    private boolean written;

    /** @param outDir where trace.json and profile.txt go; null for the trainer's run directory */
    public Profiler(ProfileWindow window, Path outDir, PrintStream console) {
        this.window = Objects.requireNonNull(window, "window");
        this.outDir = outDir;
        this.console = console;
        trace.track(STEPS, "steps");
        trace.track(PHASES, "phases");
        trace.track(LAYERS, "layers (forward, backward)");
        trace.track(OPS, "backward ops");
    }

    public ChromeTrace trace() {
        return trace;
    }

    @Override
    public void onFitStart(Trainer trainer) {
        arm(trainer, trainer.step() + 1);
    }

    @Override
    public void afterStep(Trainer trainer, StepResult r) {
        if (recording()) {
            long end = System.nanoTime();
            long start = end - (long) (r.stepMs() * 1e6);
            trace.add(new ChromeTrace.Span(STEPS, "step " + r.step(), "step", start, end, r.step()));
            long t = start;
            t = phase("data", t, r.dataMs(), r.step());
            t = phase("forward", t, r.fwdMs(), r.step());
            t = phase("backward", t, r.bwdMs(), r.step());
            long bwdEnd = t;
            t = phase("communication", t, r.commMs(), r.step());
            phase("optimizer", t, r.optMs(), r.step());
            closeOpenBackward(bwdEnd);
        }
        arm(trainer, r.step() + 1);
        if (!written && r.step() + 1 >= window.to()) {
            write(trainer);
        }
    }

    @Override
    public void onFitEnd(Trainer trainer, Trainer.Summary summary) {
        disarm();
        if (!written) {
            write(trainer);
        }
    }

    /** A failed run: the model gets its own modules back (the trace of what was recorded is not written). */
    @Override
    public void onFitError(Trainer trainer, Throwable error) {
        disarm();
    }

    /** Whether the wrappers and the op hook are in place (the next step is in the window). */
    public boolean recording() {
        return layers != null;
    }

    // ---- hooks, called only while recording -------------------------------------------------------------------

    @Override
    public void forward(String layer, long startNanos, long endNanos) {
        add(LAYERS, layer + " forward", "layer", startNanos, endNanos);
    }

    @Override
    public void backwardStart(String layer, long nanos) {
        openBackward.computeIfAbsent(layer, k -> new ArrayDeque<>()).push(nanos);
    }

    @Override
    public void backwardEnd(String layer, long nanos) {
        Deque<Long> open = openBackward.get(layer);
        if (open != null && !open.isEmpty()) {
            add(LAYERS, layer + " backward", "layer", open.pop(), nanos);
        }
    }

    @Override
    public void backwardOp(String op, long startNanos, long endNanos) {
        if (!op.equals(MARK)) {
            add(OPS, op, "op", startNanos, endNanos);
        }
    }

    // ---- internals ----------------------------------------------------------------------------------------------

    /** Installs the wrappers and the op hook when {@code nextStep} is in the window, removes them when not. */
    private void arm(Trainer trainer, long nextStep) {
        boolean on = window.contains(nextStep);
        currentStep = nextStep;
        if (on && layers == null) {
            layers = LayerTiming.instrument(trainer.model(), this);
            OpTrace.set(this);
        } else if (!on) {
            disarm();
        }
    }

    private void disarm() {
        if (layers != null) {
            layers.remove();
            layers = null;
        }
        if (OpTrace.get() == this) {
            OpTrace.set(null);
        }
    }

    private long phase(String name, long start, double ms, long step) {
        long end = start + (long) (ms * 1e6);
        if (ms > 0) {
            trace.add(new ChromeTrace.Span(PHASES, name, "phase", start, end, step));
            tally("phase " + name, ms);
        }
        return end;
    }

    /** The first layer's input needs no gradient, so its backward never sees an end mark: it ends with backward. */
    private void closeOpenBackward(long end) {
        for (var e : openBackward.entrySet()) {
            while (!e.getValue().isEmpty()) {
                add(LAYERS, e.getKey() + " backward", "layer", e.getValue().pop(), end);
            }
        }
    }

    private void add(int track, String name, String category, long start, long end) {
        trace.add(new ChromeTrace.Span(track, name, category, start, end, currentStep));
        tally((track == OPS ? "op " : "layer ") + name, (end - start) / 1e6);
    }

    private void tally(String key, double ms) {
        double[] t = totals.computeIfAbsent(key, k -> new double[2]);
        t[0] += ms;
        t[1]++;
    }

    private void write(Trainer trainer) {
        Path dir = outDir != null ? outDir : trainer.runDir();
        written = true;
        if (dir == null) {
            return;
        }
        trace.write(dir.resolve(TRACE_FILE));
        String summary = summary();
        try {
            Files.writeString(dir.resolve(SUMMARY_FILE), summary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(SUMMARY_FILE), e);
        }
        if (console != null) {
            console.printf("profile of steps %d..%d: %s (open in ui.perfetto.dev), summary %s%n", window.from(),
                    window.to() - 1, dir.resolve(TRACE_FILE), dir.resolve(SUMMARY_FILE));
            summary.lines().limit(16).forEach(l -> console.println("  " + l));
        }
    }

    /** Time per phase, layer and op over the window, largest first within each kind. */
    String summary() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-48s %12s %8s %10s%n", "what",
                "total ms", "calls", "ms/call"));
        for (String kind : List.of("phase ", "layer ", "op ")) {
            List<Map.Entry<String, double[]>> rows = new ArrayList<>();
            totals.entrySet().stream().filter(e -> e.getKey().startsWith(kind)).forEach(rows::add);
            rows.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0]).reversed());
            for (var e : rows) {
                double[] v = e.getValue();
                b.append(String.format(Locale.ROOT, "%-48s %12.3f %8d %10.4f%n", e.getKey(), v[0], (long) v[1],
                        v[0] / v[1]));
            }
        }
        return b.toString();
    }
}
