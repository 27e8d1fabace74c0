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

    /** Attaches {@code backward} to {@code out} when {@link #needed}; returns {@code out}. */
    public static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (needed(inputs)) {
            out.attach(new Node(op, inputs, backward));
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
     * Bytes of activations the recorded graph under {@code root} holds for backward: the distinct storages of every
     * recorded op's inputs, excluding trainable leaves (parameters). This is the activation memory a step keeps
     * alive between forward and backward, the quantity precision and checkpointing policies reduce.
     */
    public static long savedActivationBytes(Tensor root) {
        java.util.Set<Storage> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.Set<Node> visited = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Tensor> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        long bytes = 0;
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            Node n = t.gradFn();
            if (n == null || n.isFreed() || !visited.add(n)) {
                continue;
            }
            for (Tensor in : n.inputs()) {
                if (in == null) {
                    continue;
                }
                boolean parameter = in.isLeaf() && in.requiresGrad();
                if (!parameter && seen.add(in.storage())) {
                    bytes += in.storage().byteSize();
                }
                todo.push(in);
            }
        }
        return bytes;
    }
}
