package dev.brisk.tensor;

/**
 * Recording of the autograd graph: the one place that decides whether an op's output gets a {@link Node}.
 * Public so that ops defined outside this package (convolution, pooling, norms, attention, custom ops) can
 * attach their own backward rule: compute the forward under {@link GradMode#noGrad()} when {@link #needed},
 * then {@link #record} the result with its vector-Jacobian product.
 */
public final class Graph {

    private Graph() {
    }

    /** True when grad mode is on and some input requires grad, i.e. the op must be recorded. */
    public static boolean needed(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Attaches {@code backward} to {@code out} when {@link #needed}; returns {@code out}. Every input counts as
     * saved for backward (the safe default); ops whose rule needs fewer tensors use {@link #recordSaving}.
     */
    public static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        return recordSaving(out, op, backward, inputs, inputs);
    }

    /**
     * As {@link #record}, declaring exactly which tensors the rule keeps for backward ({@code saved}, possibly
     * none). The rule must capture nothing else of size: inputs it does not save become garbage after the forward.
     */
    public static Tensor recordSaving(Tensor out, String op, Node.Backward backward, Tensor[] saved,
                                      Tensor... inputs) {
        if (needed(inputs)) {
            out.attach(new Node(op, inputs, saved, backward));
        }
        return out;
    }

    /**
     * Sums a gradient of a broadcast result back to the shape of the operand that was broadcast (the reverse of
     * NumPy broadcasting): leading extra dims and dims where the operand had size 1 are summed.
     */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shapeRef();
        if (java.util.Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        int count = 0;
        int[] dims = new int[gs.length];
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) {
                dims[count++] = i;
            }
        }
        Tensor s = count == 0 ? g
                : ReductionOps.reduce(dev.brisk.tensor.backend.ReduceOp.SUM, g, java.util.Arrays.copyOf(dims, count),
                        true);
        return s.reshape(shape);
    }

    /**
     * Bytes of activations the recorded graph under {@code root} holds for backward: the distinct storages of the
     * tensors its ops saved, excluding trainable leaves (parameters). This is the activation memory a step keeps
     * alive between forward and backward, the quantity precision and checkpointing policies reduce.
     */
    public static long savedActivationBytes(Tensor root) {
        if (root.gradFn() == null) {
            return 0;
        }
        java.util.Set<Storage> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.List<Node> nodes = Backprop.topologicalOrder(root.gradFn());
        // parameters, and views of them such as weight.t(), are weights, not activations
        for (Node n : nodes) {
            for (int i = 0; i < n.arity(); i++) {
                if (n.leaf(i) != null) {
                    seen.add(n.leaf(i).storage());
                }
            }
        }
        long bytes = 0;
        for (Node n : nodes) {
            for (Tensor t : n.saved()) {
                if (t != null && !(t.isLeaf() && t.requiresGrad()) && seen.add(t.storage())) {
                    bytes += t.storage().byteSize();
                }
            }
        }
        return bytes;
    }
    /**
     * The gradients of {@code output} with respect to the leaves {@code wrt}, back-propagating {@code gradOutput}
     * (as {@code torch.autograd.grad}). Unlike {@link Tensor#backward}, no leaf's {@code grad()} changes and no
     * grad-ready hook fires, so a custom backward (activation checkpointing) can return these as its inputs'
     * gradients and leave accumulation and hooks to the enclosing backward. Leaves not in {@code wrt} are ignored;
     * the graph under {@code output} is freed. One entry per {@code wrt}, null where it received no gradient.
     */
    public static Tensor[] gradients(Tensor output, Tensor gradOutput, Tensor... wrt) {
        java.util.Objects.requireNonNull(gradOutput, "gradOutput");
        return Backprop.gradients(output, gradOutput, wrt);
    }

    /**
     * One recorded op, for memory reports: its name, the tensors it holds for backward ({@code saved}, nulls
     * dropped), the trainable leaves among its inputs ({@code leaves}), and the positions in {@link #recorded}'s
     * list of the ops that computed its other inputs ({@code parents}).
     */
    public record Recorded(String op, java.util.List<Tensor> saved, java.util.List<Tensor> leaves, int[] parents) {
    }

    /**
     * The ops under {@code root} that backward would run, each after the ops that computed its inputs (the reverse
     * of backward's order). Call it before backward, which frees them.
     */
    public static java.util.List<Recorded> recorded(Tensor root) {
        if (root.gradFn() == null) {
            return java.util.List.of();
        }
        java.util.List<Node> order = Backprop.topologicalOrder(root.gradFn());
        java.util.Map<Node, Integer> index = new java.util.IdentityHashMap<>();
        java.util.List<Recorded> out = new java.util.ArrayList<>(order.size());
        for (Node n : order) {
            java.util.List<Tensor> saved = new java.util.ArrayList<>();
            for (Tensor t : n.saved()) {
                if (t != null) {
                    saved.add(t);
                }
            }
            java.util.List<Tensor> leaves = new java.util.ArrayList<>();
            int[] parents = new int[n.arity()];
            int count = 0;
            for (int i = 0; i < n.arity(); i++) {
                if (n.leaf(i) != null) {
                    leaves.add(n.leaf(i));
                }
                if (n.parent(i) != null) {
                    parents[count++] = index.get(n.parent(i));
                }
            }
            index.put(n, out.size());
            out.add(new Recorded(n.op(), java.util.List.copyOf(saved), java.util.List.copyOf(leaves),
                    java.util.Arrays.copyOf(parents, count)));
        }
        return out;
    }
}
