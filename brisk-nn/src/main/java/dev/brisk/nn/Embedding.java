package dev.brisk.nn;

import dev.brisk.nn.init.Init;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;

/**
 * A lookup table: integer indices of any shape {@code (*)} to rows of {@code weight (num, dim)}, giving
 * {@code (*, dim)}. The gradient of a row is the sum of the gradients of its lookups.
 *
 * <p>Default initialisation (PyTorch's {@code reset_parameters}): weight {@code N(0, 1)}.
 */
public final class Embedding extends Module {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final Tensor weight;

    public Embedding(int numEmbeddings, int embeddingDim, Rng rng) {
        this.numEmbeddings = Checks.positive("Embedding", "numEmbeddings", numEmbeddings);
        this.embeddingDim = Checks.positive("Embedding", "embeddingDim", embeddingDim);
        this.weight = registerParameter("weight", Tensor.zeros(numEmbeddings, embeddingDim));
        Init.normal(weight, 0, 1, rng);
        describe(numEmbeddings + ", " + embeddingDim);
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Embedding: expected integer indices (I64 or I32), got "
                    + indices.dtype() + " of shape " + Shapes.format(indices.shape()));
        }
        long[] idx = indices.toLongArray();
        for (long i : idx) {
            if (i < 0 || i >= numEmbeddings) {
                throw new IndexOutOfBoundsException("Embedding: index " + i + " is out of range [0, " + numEmbeddings
                        + ") in indices of shape " + Shapes.format(indices.shape()));
            }
        }
        int[] shape = indices.shape();
        int[] outShape = java.util.Arrays.copyOf(shape, shape.length + 1);
        outShape[shape.length] = embeddingDim;
        // (*) -> (n) -> (n, dim) -> (*, dim)
        return weight.indexSelect(0, Tensor.ofLongs(idx, idx.length)).reshape(outShape);
    }

    /** (num, dim) */
    public Tensor weight() {
        return weight;
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int embeddingDim() {
        return embeddingDim;
    }
}
