package dev.brisk.nn;

import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A layer or a model: a function {@code forward(x)} together with the tensors it owns, as PyTorch's
 * {@code torch.nn.Module}.
 *
 * <p><b>Registration is explicit.</b> A subclass registers what it owns in its constructor and keeps the returned
 * reference in a final field:
 * <pre>{@code
 * this.weight = registerParameter("weight", Tensor.zeros(out, in));   // trained: requiresGrad is set
 * this.runningMean = registerBuffer("running_mean", Tensor.zeros(c)); // state, not trained
 * this.fc1 = registerModule("fc1", new Linear(4, 8, rng));            // a child; its names get "fc1." in front
 * }</pre>
 * There is no reflection: only registered tensors are parameters, buffers or state. Names are local (no dots) and
 * unique within a module; hierarchical names such as {@code blocks.0.attn.qkv.weight} are formed by joining the
 * child names on the path with dots.
 *
 * <p><b>Parameters are plain tensors.</b> A parameter is a leaf {@link Tensor} with {@code requiresGrad} set;
 * {@link #parameters()} hands out those very tensors, so {@code p.grad()} and in-place updates under
 * {@link GradMode#noGrad()} work as in PyTorch. {@link #loadStateDict} copies into the registered tensors in
 * place, so the fields that hold them stay valid.
 *
 * <p>Order: a module's own parameters (registration order), then its own buffers, then each child's entries,
 * depth-first, as PyTorch's {@code state_dict}. {@link #parameters()} and {@link #namedParameters()} list a tensor
 * shared by two modules (weight tying) once, under its first name; {@link #stateDict()} lists it under every name.
 *
 * <p>Every concrete method here is final; a subclass only implements {@link #forward}.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private String description = "";
    private boolean training = true;
    private boolean transparent; // a wrapper whose children take its place in names (see makeTransparent)

    protected Module() {
    }

    /** This module's function. */
    public abstract Tensor forward(Tensor input);

    // ---- registration -----------------------------------------------------------------------------------------

    /**
     * Registers a trainable tensor under {@code name}: it must be a floating-point leaf; requiresGrad is turned on.
     * Returns {@code value} so that it can be assigned to a final field.
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name, value, "parameter");
        if (!value.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(kind() + ": parameter '" + name + "' must be floating-point, got "
                    + value.dtype());
        }
        if (!value.isLeaf()) {
            throw new IllegalArgumentException(kind() + ": parameter '" + name + "' must be a leaf tensor, but it was"
                    + " computed by '" + value.gradFn().op() + "'; pass value.detach()");
        }
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers non-trainable state (running statistics, counters) saved in the state dict. Returns {@code value}. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name, value, "buffer");
        if (value.requiresGrad()) {
            throw new IllegalArgumentException(kind() + ": buffer '" + name + "' must not require grad; register it"
                    + " with registerParameter if it is trained");
        }
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module; its entries are named {@code name + "." + childName}. Returns {@code module}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name, module, "module");
        if (module == this) {
            throw new IllegalArgumentException(kind() + ": a module cannot be its own child ('" + name + "')");
        }
        children.put(name, module);
        return module;
    }

    /**
     * Replaces the child registered under {@code name}, keeping its position (package use: wrapping a child in
     * place, as {@link Checkpointing} does). Returns {@code module}.
     */
    final <M extends Module> M replaceModule(String name, M module) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException(kind() + ": no child named '" + name + "' to replace; children are "
                    + children.keySet());
        }
        Objects.requireNonNull(module, () -> kind() + ": replacement for '" + name + "' is null");
        children.put(name, module);
        return module;
    }

    /**
     * Makes this module invisible in hierarchical names (package use: {@link Checkpointed}): its children's entries
     * are named as if they were registered directly on this module's parent, and {@link #namedModules()} lists
     * them in its place. A wrapped model then has the state dict of the plain model.
     */
    final void makeTransparent() {
        this.transparent = true;
    }

    /** Sets the text shown between the parentheses by {@link #toString()}, e.g. {@code in_features=4, bias=true}. */
    protected final void describe(String text) {
        this.description = Objects.requireNonNull(text, "text");
    }

    private void checkName(String name, Object value, String what) {
        Objects.requireNonNull(value, () -> kind() + ": " + what + " '" + name + "' is null");
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(kind() + ": " + what + " name must be non-empty and contain no '.',"
                    + " got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(kind() + ": name '" + name + "' is already registered");
        }
    }

    // ---- traversal --------------------------------------------------------------------------------------------

    /** Direct children in registration order. */
    public final SequencedMap<String, Module> namedChildren() {
        return new LinkedHashMap<>(children);
    }

    /** This module (name "") and all descendants, depth-first, each once. */
    public final SequencedMap<String, Module> namedModules() {
        SequencedMap<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = identitySet();
        collectModules("", out, seen);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(this)) {
            return;
        }
        if (!transparent) {
            out.put(prefix, this);
        }
        children.forEach((name, child) -> child.collectModules(childPrefix(prefix, name), out, seen));
    }

    /** Every parameter by hierarchical name, each tensor once. */
    public final SequencedMap<String, Tensor> namedParameters() {
        return collectTensors(true);
    }

    /** Every buffer by hierarchical name, each tensor once. */
    public final SequencedMap<String, Tensor> namedBuffers() {
        return collectTensors(false);
    }

    /** The parameter tensors themselves (read {@code grad()} from them; update them under no-grad). */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public final List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    private SequencedMap<String, Tensor> collectTensors(boolean params) {
        SequencedMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = identitySet();
        namedModules().forEach((prefix, m) -> (params ? m.parameters : m.buffers).forEach((name, t) -> {
            if (seen.add(t)) {
                out.put(join(prefix, name), t);
            }
        }));
        return out;
    }

    /** Visits every (name, tensor) entry of the state, depth-first, tied tensors under each of their names. */
    private void visitState(String prefix, BiConsumer<String, Tensor> visitor) {
        parameters.forEach((name, t) -> visitor.accept(join(prefix, name), t));
        buffers.forEach((name, t) -> visitor.accept(join(prefix, name), t));
        children.forEach((name, child) -> child.visitState(childPrefix(prefix, name), visitor));
    }

    // ---- state dict -------------------------------------------------------------------------------------------

    /**
     * Parameters and buffers by hierarchical name. The values share storage with the module (detached views, as
     * PyTorch's {@code state_dict}); copy them to keep a snapshot that later training does not change.
     */
    public final LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        visitState("", (name, t) -> out.put(name, t.detach()));
        return out;
    }

    /** What {@link #loadStateDict} tolerated (non-strict): names it did not find, and names it did not know. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
        public LoadResult {
            missingKeys = List.copyOf(missingKeys);
            unexpectedKeys = List.copyOf(unexpectedKeys);
        }
    }

    /**
     * Copies {@code state} into this module's parameters and buffers in place (converting dtype if needed).
     *
     * <p>Everything is checked before anything is copied: an entry whose shape differs from the module's is
     * always an error; with {@code strict}, so is a module entry absent from {@code state} (missing) and a
     * {@code state} entry the module does not have (unexpected). The error lists every problem with its name and
     * shapes. Without {@code strict}, missing and unexpected names are returned instead.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Objects.requireNonNull(state, "state");
        LinkedHashMap<String, Tensor> own = new LinkedHashMap<>();
        visitState("", own::put);
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        own.forEach((name, t) -> {
            Tensor src = state.get(name);
            if (src == null) {
                missing.add(name);
            } else if (!Arrays.equals(src.shape(), t.shape())) {
                mismatched.add(name + ": expected shape " + Shapes.format(t.shape()) + ", got "
                        + Shapes.format(src.shape()));
            }
        });
        List<String> unexpected = new ArrayList<>();
        state.keySet().forEach(name -> {
            if (!own.containsKey(name)) {
                unexpected.add(name);
            }
        });
        List<String> problems = new ArrayList<>();
        mismatched.forEach(m -> problems.add("shape mismatch for " + m));
        if (strict) {
            missing.forEach(name -> problems.add("missing key " + name + " (shape "
                    + Shapes.format(own.get(name).shape()) + ")"));
            unexpected.forEach(name -> problems.add("unexpected key " + name + " (shape "
                    + Shapes.format(state.get(name).shape()) + ")"));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + kind() + ": " + problems.size()
                    + " problem(s), nothing was loaded:\n  " + String.join("\n  ", problems)
                    + (strict && mismatched.size() < problems.size()
                    ? "\n(pass strict=false to load the matching entries and skip the rest)" : ""));
        }
        try (var _ = GradMode.noGrad()) {
            own.forEach((name, t) -> {
                Tensor src = state.get(name);
                if (src != null) {
                    t.copyFrom(src.detach());
                }
            });
        }
        return new LoadResult(missing, unexpected);
    }

    // ---- modes ------------------------------------------------------------------------------------------------

    /** Sets training mode on this module and every descendant; returns this. */
    public final Module train(boolean mode) {
        apply(m -> m.training = mode); // apply, not namedModules: it also reaches transparent wrappers
        return this;
    }

    public final Module train() {
        return train(true);
    }

    /** Evaluation mode (dropout off, batch norm uses running statistics) on this module and its descendants. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Freezes ({@code false}) or unfreezes every parameter of this module and its descendants; returns this. */
    public final Module requiresGrad(boolean requires) {
        parameters().forEach(p -> p.requiresGrad(requires));
        return this;
    }

    /** Calls {@code fn} on every descendant, children before parents, and last on this module; returns this. */
    public final Module apply(Consumer<Module> fn) {
        children.values().forEach(c -> c.apply(fn));
        fn.accept(this);
        return this;
    }

    /** Clears every parameter's gradient (sets it to none, as PyTorch's default {@code zero_grad}). */
    public final void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    /** Number of parameter elements, tied tensors counted once. */
    public final long numParameters() {
        return parameters().stream().mapToLong(Tensor::numel).sum();
    }

    /** Number of parameter elements that currently require grad (not frozen). */
    public final long numTrainableParameters() {
        return parameters().stream().filter(Tensor::requiresGrad).mapToLong(Tensor::numel).sum();
    }

    // ---- printing ---------------------------------------------------------------------------------------------

    /** A tree like PyTorch's: {@code Sequential(\n  (0): Linear(in_features=4, ...)\n)}. */
    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder(kind()).append('(');
        if (children.isEmpty()) {
            return sb.append(description).append(')').toString();
        }
        if (!description.isEmpty()) {
            sb.append("\n  ").append(description);
        }
        children.forEach((name, child) -> sb.append("\n  (").append(name).append("): ")
                .append(child.toString().replace("\n", "\n  ")));
        return sb.append("\n)").toString();
    }

    /** The class name used in messages and {@link #toString()}. */
    protected final String kind() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? "Module" : n;
    }

    private String childPrefix(String prefix, String name) {
        return transparent ? prefix : join(prefix, name);
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static <T> Set<T> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
