package dev.brisk.tensor;

/**
 * One recorded op of the autograd graph: its inputs and the rule that maps the gradient of its output to the
 * gradients of its inputs. Freed (inputs and rule dropped) once backward has run through it, so the graph's
 * saved tensors become garbage right away.
 */
public final class Node {

    /** The vector-Jacobian product of an op: gradient of the output in, gradients of the inputs out. */
    @FunctionalInterface
    public interface Backward {
        /** One entry per input, in order; null where an input needs no gradient. */
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private Tensor[] inputs;
    private Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** The op's name, e.g. "matmul". */
    public String op() {
        return op;
    }

    Tensor[] inputs() {
        if (inputs == null) {
            throw new IllegalStateException("backward through the graph a second time: '" + op + "' was freed by the "
                    + "first backward; pass retainGraph=true to the first backward() if you need to backward twice");
        }
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        inputs();
        return backward.apply(gradOutput);
    }

    void free() {
        inputs = null;
        backward = null;
    }

    boolean isFreed() {
        return inputs == null;
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
