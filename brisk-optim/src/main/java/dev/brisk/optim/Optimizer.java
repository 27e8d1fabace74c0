package dev.brisk.optim;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies an {@link UpdateRule} to groups of named parameters. Owns all optimizer state — per-parameter buffers
 * and step counts — and exports it as named tensors ({@code <param>.<slot>}, {@code <param>.step}) so that a
 * checkpoint holds everything needed to resume exactly. The learning rate is set from outside (a schedule) and
 * scaled per group; parameters without a gradient are skipped, as in PyTorch.
 */
public final class Optimizer {

    private final UpdateRule rule;
    private final List<ParamGroup> groups;
    private final Map<String, Tensor[]> state = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private double lr;

    public Optimizer(UpdateRule rule, double lr, ParamGroup... groups) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.groups = List.of(groups);
        setLr(lr);
        if (groups.length == 0) {
            throw new IllegalArgumentException("optimizer needs at least one parameter group");
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (Map.Entry<String, Tensor> e : g.params().entrySet()) {
                String prev = seen.put(e.getKey(), g.name());
                if (prev != null) {
                    throw new IllegalArgumentException("parameter '" + e.getKey() + "' is in both group '" + prev
                            + "' and group '" + g.name() + "'");
                }
                Tensor p = e.getValue();
                if (p.dtype() != DType.F32 || !p.isContiguous()) {
                    throw new IllegalArgumentException("parameter '" + e.getKey() + "' must be a contiguous F32 tensor "
                            + "(master weights are F32), got " + p.dtype() + (p.isContiguous() ? "" : ", strided"));
                }
            }
        }
    }

    /** One group holding every parameter, with weight decay {@code weightDecay} on all of them. */
    public static Optimizer of(UpdateRule rule, double lr, Map<String, Tensor> params, double weightDecay) {
        return new Optimizer(rule, lr, ParamGroup.of(params, weightDecay));
    }

    public UpdateRule rule() {
        return rule;
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    /** Every parameter by name, in group order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        groups.forEach(g -> all.putAll(g.params()));
        return all;
    }

    /** How many updates parameter {@code name} has received (0 before its first). */
    public long stepCount(String name) {
        return steps.getOrDefault(name, 0L);
    }

    public double lr() {
        return lr;
    }

    /** Sets the base learning rate (each group uses lr × its lrScale). */
    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        this.lr = lr;
    }

    /** Updates every parameter that has a gradient. */
    public void step() {
        var kernels = Kernels.get().optimizers();
        try (var s = GradMode.noGrad()) {
            for (ParamGroup g : groups) {
                double groupLr = lr * g.lrScale();
                for (Map.Entry<String, Tensor> e : g.params().entrySet()) {
                    Tensor p = e.getValue();
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    Tensor gc = grad.to(DType.F32).contiguous();
                    Tensor[] buffers = state.computeIfAbsent(e.getKey(), k -> newState(p));
                    long t = steps.merge(e.getKey(), 1L, Long::sum);
                    rule.update(p, gc, buffers, groupLr, g.weightDecay(), t, kernels);
                }
            }
        }
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params().values()) {
                p.zeroGrad();
            }
        }
    }

    private Tensor[] newState(Tensor p) {
        List<String> slots = rule.stateSlots();
        Tensor[] s = new Tensor[slots.size()];
        for (int i = 0; i < s.length; i++) {
            float init = rule.initialValue(slots.get(i));
            s[i] = init == 0 ? Tensor.zeros(p.shape()) : Tensor.full(init, p.shape());
        }
        return s;
    }

    /** All state as named tensors: {@code <param>.<slot>} buffers and {@code <param>.step} (I64 scalar). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> slots = rule.stateSlots();
        for (Map.Entry<String, Tensor[]> e : state.entrySet()) {
            for (int i = 0; i < slots.size(); i++) {
                out.put(e.getKey() + "." + slots.get(i), e.getValue()[i]);
            }
            out.put(e.getKey() + ".step", Tensor.ofLongs(new long[] {steps.get(e.getKey())}, 1).reshape());
        }
        return out;
    }

    /**
     * Restores state saved by {@link #stateDict()}; every entry must name a parameter and slot of this optimizer and
     * have the parameter's shape. Nothing is changed if any entry is wrong.
     */
    public void loadStateDict(Map<String, Tensor> saved) {
        Map<String, Tensor> params = namedParameters();
        List<String> slots = rule.stateSlots();
        Map<String, Tensor[]> newState = new LinkedHashMap<>();
        Map<String, Long> newSteps = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            String param = dot < 0 ? key : key.substring(0, dot);
            String slot = dot < 0 ? "" : key.substring(dot + 1);
            Tensor p = params.get(param);
            if (p == null) {
                problems.add("'" + key + "': no parameter named '" + param + "'");
                continue;
            }
            if (slot.equals("step")) {
                if (e.getValue().numel() != 1 || e.getValue().dtype().isFloatingPoint()) {
                    problems.add("'" + key + "': step must be one integer");
                } else {
                    newSteps.put(param, e.getValue().toLongArray()[0]);
                }
                continue;
            }
            int i = slots.indexOf(slot);
            if (i < 0) {
                problems.add("'" + key + "': " + rule.getClass().getSimpleName() + " has no state '" + slot
                        + "' (it keeps " + slots + ")");
                continue;
            }
            if (!Arrays.equals(e.getValue().shape(), p.shape())) {
                problems.add("'" + key + "' has shape " + Arrays.toString(e.getValue().shape())
                        + " but the parameter has shape " + Arrays.toString(p.shape()));
                continue;
            }
            newState.computeIfAbsent(param, k -> new Tensor[slots.size()])[i] = e.getValue().to(DType.F32).copy();
        }
        if (!slots.isEmpty()) {
            for (String param : newSteps.keySet()) {
                if (!newState.containsKey(param)) {
                    problems.add("'" + param + "': has a step but no " + slots + " buffers");
                }
            }
        }
        for (Map.Entry<String, Tensor[]> e : newState.entrySet()) {
            if (Arrays.stream(e.getValue()).anyMatch(Objects::isNull) || !newSteps.containsKey(e.getKey())) {
                problems.add("'" + e.getKey() + "': incomplete state (needs " + slots + " and step)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load optimizer state: " + String.join("; ", problems));
        }
        state.clear();
        state.putAll(newState);
        steps.clear();
        steps.putAll(newSteps);
    }
}
