package dev.brisk.tensor;

/**
 * One recorded op of the autograd graph: edges to where its inputs' gradients go, the tensors its backward rule
 * needs (saved), and the rule itself, which maps the gradient of the op's output to the gradients of its inputs.
 *
 * <p>Edges are kept apart from saved tensors on purpose: an edge to a computed input is that input's own node (not
 * the tensor), and an edge to a leaf is the leaf only when it needs a gradient. So an op whose backward does not
 * read an input (add, views, casts) does not keep that input's memory alive; only {@link #saved} tensors and what
 * the rule captures are held until backward. A node is freed once backward has run through it.
 */
public final class Node {

    /** The vector-Jacobian product of an op: gradient of the output in, gradients of the inputs out. */
    @FunctionalInterface
    public interface Backward {
        /** One entry per input, in order; null where an input needs no gradient. */
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private final Node[] parents;     // per input: its node when it is computed and needs a gradient
    private final Tensor[] leaves;    // per input: the tensor when it is a leaf that needs a gradient
    private final int[][] shapes;     // per input: its shape, to check the rule's output
    private Tensor[] saved;
    private Backward backward;

    Node(String op, Tensor[] inputs, Tensor[] saved, Backward backward) {
        this.op = op;
        this.parents = new Node[inputs.length];
        this.leaves = new Tensor[inputs.length];
        this.shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null) {
                continue;
            }
            shapes[i] = in.shapeRef();
            if (in.requiresGrad()) {
                if (in.gradFn() != null) {
                    parents[i] = in.gradFn();
                } else {
                    leaves[i] = in;
                }
            }
        }
        this.saved = saved;
        this.backward = backward;
    }

    /** The op's name, e.g. "matmul". */
    public String op() {
        return op;
    }

    int arity() {
        return parents.length;
    }

    Node parent(int i) {
        return parents[i];
    }

    Tensor leaf(int i) {
        return leaves[i];
    }

    int[] inputShape(int i) {
        return shapes[i];
    }

    /** Tensors held for backward (for memory accounting); empty once freed. */
    Tensor[] saved() {
        return saved == null ? new Tensor[0] : saved;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("backward through the graph a second time: '" + op + "' was freed by the "
                    + "first backward; pass retainGraph=true to the first backward() if you need to backward twice");
        }
        return backward.apply(gradOutput);
    }

    void free() {
        saved = null;
        backward = null;
    }

    boolean isFreed() {
        return backward == null;
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
