package dev.brisk.nn;

import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-layer timing for profilers. {@link #instrument} wraps every child of every {@link Sequential} in the model in
 * a transparent timing wrapper (state dict and names unchanged, like {@link Checkpointed}). While
 * {@link Listener#recording()} is false the wrapper only forwards the call; while it is true it reports the
 * layer's forward time and marks, in the autograd graph, where the layer's backward starts (the gradient reaches
 * its output) and ends (the gradient reaches its input). The marks are identity ops that save nothing.
 *
 * <p>A model is instrumented only when a profile was asked for, so the normal run pays nothing.
 */
public final class LayerTiming {

    /** Receives the timings; every call is on the thread running forward or backward. */
    public interface Listener {
        /** Whether to time now; checked once per layer call. */
        boolean recording();

        void forward(String layer, long startNanos, long endNanos);

        /** The gradient reached the output of {@code layer}: its backward starts. */
        void backwardStart(String layer, long nanos);

        /** The gradient reached the input of {@code layer}: its backward is done. */
        void backwardEnd(String layer, long nanos);
    }

    private LayerTiming() {
    }

    /**
     * Wraps the children of every Sequential in {@code model} (recursively) and returns the names of the layers
     * timed, in forward order of a depth-first walk.
     */
    public static List<String> instrument(Module model, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        List<String> names = new ArrayList<>();
        List<Map.Entry<String, Module>> all = new ArrayList<>(model.namedModules().entrySet());
        for (Map.Entry<String, Module> e : all) {
            if (e.getValue() instanceof Sequential s) {
                for (int i = 0; i < s.size(); i++) {
                    Module child = s.get(i);
                    if (child instanceof Timed) {
                        continue;
                    }
                    String name = (e.getKey().isEmpty() ? "" : e.getKey() + ".") + i + " " + child.kind();
                    s.replace(i, new Timed(child, name, listener));
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The transparent wrapper. */
    static final class Timed extends Module {
        private final Module module;
        private final String name;
        private final Listener listener;

        Timed(Module module, String name, Listener listener) {
            this.module = registerModule("module", module);
            this.name = name;
            this.listener = listener;
            makeTransparent();
        }

        @Override
        public Tensor forward(Tensor input) {
            if (!listener.recording()) {
                return module.forward(input);
            }
            long t0 = System.nanoTime();
            Tensor x = input;
            if (Graph.needed(input)) {
                x = Graph.recordSaving(input.detach(), "profile_mark", g -> {
                    listener.backwardEnd(name, System.nanoTime());
                    return new Tensor[] {g};
                }, new Tensor[0], input);
            }
            Tensor y = module.forward(x);
            listener.forward(name, t0, System.nanoTime());
            if (Graph.needed(y)) {
                Tensor raw = y;
                y = Graph.recordSaving(raw.detach(), "profile_mark", g -> {
                    listener.backwardStart(name, System.nanoTime());
                    return new Tensor[] {g};
                }, new Tensor[0], raw);
            }
            return y;
        }
    }
}
