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
 * <p>The tensors that have a {@link Node} are ordered topologically from the root; walking that order backwards,
 * each node turns its output's accumulated gradient into gradients for its inputs. Gradients of intermediate
 * tensors live only in this walk; gradients of leaves that require grad are accumulated ({@code +=}) into
 * {@link Tensor#grad()}. A leaf's gradient is final once every node that consumed it has run: that is when its
 * grad-ready hooks fire, so data-parallel training can start reducing it while backward goes on. Nodes are freed
 * as soon as they have run unless the graph is retained.
 */
final class Backprop {

    private Backprop() {
    }

    static void run(Tensor root, Tensor gradient, boolean retainGraph) {
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
            accumulateLeaf(root, g0);
            root.fireGradReady();
            return;
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Integer> pendingLeafUses = new IdentityHashMap<>();
        for (Tensor t : order) {
            for (Tensor in : t.gradFn().inputs()) {
                if (in != null && in.requiresGrad() && in.gradFn() == null) {
                    pendingLeafUses.merge(in, 1, Integer::sum);
                }
            }
        }
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, g0);
        try (var ignored = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Node node = t.gradFn();
                Tensor g = grads.remove(t);
                Tensor[] ins = node.inputs();
                Tensor[] inGrads = g == null ? null : node.apply(g);
                for (int k = 0; k < ins.length; k++) {
                    Tensor in = ins[k];
                    if (in == null || !in.requiresGrad()) {
                        continue;
                    }
                    Tensor gi = inGrads == null ? null : inGrads[k];
                    if (gi != null && !Arrays.equals(gi.shapeRef(), in.shapeRef())) {
                        throw new IllegalStateException("backward of '" + node.op() + "' produced a gradient of shape "
                                + Shapes.format(gi.shapeRef()) + " for an input of shape "
                                + Shapes.format(in.shapeRef()));
                    }
                    if (in.gradFn() != null) {
                        if (gi != null) {
                            grads.merge(in, gi.to(DType.F32), Tensor::add);
                        }
                    } else {
                        if (gi != null) {
                            accumulateLeaf(in, gi);
                        }
                        if (pendingLeafUses.merge(in, -1, Integer::sum) == 0) {
                            in.fireGradReady();
                        }
                    }
                }
                if (!retainGraph) {
                    node.free();
                }
            }
        }
    }

    /** leaf.grad += g; the first gradient is copied so that no two tensors ever share a grad buffer. */
    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor current = leaf.grad();
        if (current == null) {
            leaf.setGrad(g.to(DType.F32).copy());
        } else {
            var k = Kernels.get().elementwise();
            Tensor add = g.to(DType.F32).contiguous();
            float[] dst = current.storage().floats();
            k.binary(dev.brisk.tensor.backend.BinaryOp.ADD, dst, current.offset(), 1,
                    add.storage().floats(), add.offset(), 1, dst, current.offset(), current.numel());
        }
    }

    /** Tensors with a grad_fn reachable from root, each after all of its inputs (iterative DFS, no recursion). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            Tensor[] ins = t.gradFn().inputs();
            int next = (Integer) frame[1];
            if (next < ins.length) {
                frame[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.gradFn() != null && in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
