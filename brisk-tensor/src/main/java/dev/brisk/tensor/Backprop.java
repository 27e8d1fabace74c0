package dev.brisk.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the recorded graph (micrograd's algorithm at tensor granularity).
 *
 * <p>The nodes reachable from the root are ordered topologically; walking that order backwards, each node turns
 * its output's accumulated gradient into gradients for its inputs: a computed input's gradient is added to its
 * node's pending gradient, a leaf's is accumulated ({@code +=}) into {@link Tensor#grad()}. A leaf's gradient is
 * final once every node that consumed it has run: that is when its grad-ready hooks fire, so data-parallel
 * training can start reducing it while backward goes on. Nodes are freed as soon as they have run unless the graph
 * is retained, releasing the tensors they saved.
 */
final class Backprop {

    private Backprop() {
    }

    static void run(Tensor root, Tensor gradient, boolean retainGraph) {
        run(root, gradient, retainGraph, null);
    }

    /**
     * The gradients of {@code root} with respect to the leaves {@code wrt}, as {@code torch.autograd.grad}: no
     * leaf's {@link Tensor#grad()} changes and no grad-ready hook fires; leaves not in {@code wrt} get nothing. Each
     * gradient is summed in the order backward would have accumulated it into {@code grad()}, with the same
     * arithmetic, so the values are bit-identical to that accumulation. Null where a leaf received no gradient.
     */
    static Tensor[] gradients(Tensor root, Tensor gradient, Tensor[] wrt) {
        Map<Tensor, Tensor[]> sink = new IdentityHashMap<>();
        for (Tensor w : wrt) {
            if (w.gradFn() != null) {
                throw new IllegalArgumentException("gradients: wrt must be leaves, but one was computed by '"
                        + w.gradFn().op() + "' (pass a detached copy with requiresGrad)");
            }
            sink.put(w, new Tensor[1]);
        }
        run(root, gradient, false, sink);
        Tensor[] out = new Tensor[wrt.length];
        for (int i = 0; i < wrt.length; i++) {
            out[i] = sink.get(wrt[i])[0];
        }
        return out;
    }

    /** {@code sink == null}: accumulate into the leaves and fire hooks; else sum into the sink's leaves only. */
    private static void run(Tensor root, Tensor gradient, boolean retainGraph, Map<Tensor, Tensor[]> sink) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn (was it "
                    + "computed under GradMode.noGrad(), or from tensors without requiresGrad?)");
        }
        Tensor g0 = gradient;
        if (g0 == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: a gradient is implicit only for a one-element output;"
                        + " this output has shape " + Shapes.format(root.shapeRef()) + ", so pass backward(gradient)");
            }
            g0 = Tensor.full(1f, root.shapeRef());
        } else if (!Arrays.equals(g0.shapeRef(), root.shapeRef())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shapes.format(g0.shapeRef())
                    + " does not match the output shape " + Shapes.format(root.shapeRef()));
        }
        g0 = g0.to(DType.F32);
        if (root.gradFn() == null) {
            if (sink != null) {
                collect(sink, root, g0);
                return;
            }
            accumulateLeaf(root, g0);
            root.fireGradReady();
            return;
        }
        List<Node> order = topologicalOrder(root.gradFn());
        Map<Tensor, Integer> pendingLeafUses = new IdentityHashMap<>();
        for (Node n : order) {
            for (int i = 0; i < n.arity(); i++) {
                if (n.leaf(i) != null) {
                    pendingLeafUses.merge(n.leaf(i), 1, Integer::sum);
                }
            }
        }
        Map<Node, Tensor> grads = new IdentityHashMap<>();
        grads.put(root.gradFn(), g0);
        try (var ignored = GradMode.noGrad()) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Node node = order.get(k);
                Tensor g = grads.remove(node);
                OpTrace.Listener trace = OpTrace.listener; // null unless a profiler is recording
                long traceStart = trace == null ? 0 : System.nanoTime();
                Tensor[] inGrads = g == null ? null : node.apply(g);
                if (trace != null) {
                    trace.backwardOp(node.op(), traceStart, System.nanoTime());
                }
                for (int i = 0; i < node.arity(); i++) {
                    Node parent = node.parent(i);
                    Tensor leaf = node.leaf(i);
                    if (parent == null && leaf == null) {
                        continue;
                    }
                    Tensor gi = inGrads == null || i >= inGrads.length ? null : inGrads[i];
                    if (gi != null && !Arrays.equals(gi.shapeRef(), node.inputShape(i))) {
                        throw new IllegalStateException("backward of '" + node.op() + "' produced a gradient of shape "
                                + Shapes.format(gi.shapeRef()) + " for an input of shape "
                                + Shapes.format(node.inputShape(i)));
                    }
                    if (parent != null) {
                        if (gi != null) {
                            grads.merge(parent, gi.to(DType.F32), Tensor::add);
                        }
                    } else if (sink != null) {
                        if (gi != null) {
                            collect(sink, leaf, gi);
                        }
                    } else {
                        if (gi != null) {
                            accumulateLeaf(leaf, gi);
                        }
                        if (pendingLeafUses.merge(leaf, -1, Integer::sum) == 0) {
                            leaf.fireGradReady();
                        }
                    }
                }
                if (!retainGraph) {
                    node.free();
                }
            }
        }
    }

    /** sink[leaf] += g for a leaf the sink asks for, with {@link #accumulateLeaf}'s arithmetic. */
    private static void collect(Map<Tensor, Tensor[]> sink, Tensor leaf, Tensor g) {
        Tensor[] cell = sink.get(leaf);
        if (cell == null) {
            return;
        }
        if (cell[0] == null) {
            cell[0] = g.to(DType.F32).copy();
        } else {
            addInto(cell[0], g);
        }
    }

    /** leaf.grad += g; the first gradient is copied so that no two tensors ever share a grad buffer. */
    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor current = leaf.grad();
        if (current == null) {
            leaf.setGrad(g.to(DType.F32).copy());
        } else {
            addInto(current, g);
        }
    }

    /** current += g in place (current: a contiguous F32 gradient). */
    private static void addInto(Tensor current, Tensor g) {
        var k = Kernels.get().elementwise();
        Tensor add = g.to(DType.F32).contiguous();
        float[] dst = current.storage().floats();
        k.binary(dev.brisk.tensor.backend.BinaryOp.ADD, dst, current.offset(), 1,
                add.storage().floats(), add.offset(), 1, dst, current.offset(), current.numel());
    }

    /** Nodes reachable from {@code root}, each after all of its parents (iterative DFS, no recursion). */
    static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        Deque<int[]> positions = new ArrayDeque<>();
        Deque<Node> stack = new ArrayDeque<>();
        stack.push(root);
        positions.push(new int[] {0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Node n = stack.peek();
            int[] pos = positions.peek();
            if (pos[0] < n.arity()) {
                Node p = n.parent(pos[0]++);
                if (p != null && visited.put(p, Boolean.TRUE) == null) {
                    stack.push(p);
                    positions.push(new int[] {0});
                }
            } else {
                stack.pop();
                positions.pop();
                order.add(n);
            }
        }
        return order;
    }
}
