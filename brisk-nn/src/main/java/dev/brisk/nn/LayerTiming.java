package dev.brisk.nn;

import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-layer timing for profilers. {@link #instrument} wraps every child of every {@link Sequential} in the model in
 * a transparent timing wrapper (state dict and names unchanged, like {@link Checkpointed}) that reports the layer's
 * forward time and marks, in the autograd graph, where the layer's backward starts (the gradient reaches its
 * output) and ends (the gradient reaches its input). The marks are identity ops that save nothing.
 *
 * <p>{@link Instrumentation#remove()} puts the original children back, so a profiler installs the wrappers only for
 * the steps it records and the model runs its unprofiled forward path before and after them.
 */
public final class LayerTiming {

    /** Receives the timings; every call is on the thread running forward or backward. */
    public interface Listener {
        void forward(String layer, long startNanos, long endNanos);

        /** The gradient reached the output of {@code layer}: its backward starts. */
        void backwardStart(String layer, long nanos);

        /** The gradient reached the input of {@code layer}: its backward is done. */
        void backwardEnd(String layer, long nanos);
    }

    /** The wrappers one {@link #instrument} call put in place. */
    public static final class Instrumentation {
        private final List<String> layers = new ArrayList<>();
        private final List<Sequential> parents = new ArrayList<>();
        private final List<Integer> indices = new ArrayList<>();
        private final List<Timed> wrappers = new ArrayList<>();
        private boolean removed;

        /** The names of the layers timed, in forward order of a depth-first walk. */
        public List<String> layers() {
            return List.copyOf(layers);
        }

        /**
         * Puts every wrapped child back in its place (the same object as before), leaving the model as it was before
         * {@link #instrument}. A child that was replaced again since is left alone. Idempotent.
         */
        public void remove() {
            if (removed) {
                return;
            }
            removed = true;
            for (int k = wrappers.size() - 1; k >= 0; k--) {
                Sequential s = parents.get(k);
                int i = indices.get(k);
                if (s.get(i) == wrappers.get(k)) {
                    s.replace(i, wrappers.get(k).module);
                }
            }
        }
    }

    private LayerTiming() {
    }

    /** Wraps the children of every Sequential in {@code model} (recursively). */
    public static Instrumentation instrument(Module model, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        Instrumentation done = new Instrumentation();
        List<Map.Entry<String, Module>> all = new ArrayList<>(model.namedModules().entrySet());
        for (Map.Entry<String, Module> e : all) {
            if (e.getValue() instanceof Sequential s) {
                for (int i = 0; i < s.size(); i++) {
                    Module child = s.get(i);
                    if (child instanceof Timed) {
                        continue;
                    }
                    String name = (e.getKey().isEmpty() ? "" : e.getKey() + ".") + i + " " + child.kind();
                    Timed wrapper = new Timed(child, name, listener);
                    s.replace(i, wrapper);
                    done.layers.add(name);
                    done.parents.add(s);
                    done.indices.add(i);
                    done.wrappers.add(wrapper);
                }
            }
        }
        return done;
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
