package dev.brisk.dist.pipeline;

import dev.brisk.dist.DistributedException;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;

/**
 * Point-to-point tensors between neighbouring stages. Each tensor travels as two messages: a fixed-size header
 * (what it is, which micro-batch, its shape) and then the payload, so the receiver learns the shape from the
 * header, and a stage that receives the wrong thing (a schedule bug, a mismatched peer) fails with a message
 * naming both sides instead of silently mixing micro-batches. Headers are floats: every field is an int below
 * 2²⁴, exact in a float.
 */
final class TensorLink {

    static final int ACTIVATION = 1;
    static final int GRADIENT = 2;
    private static final int MAX_DIMS = 6;
    private static final int HEADER = 3 + MAX_DIMS;
    private static final float MAGIC = 4242f;

    private final ProcessGroup group;

    TensorLink(ProcessGroup group) {
        this.group = group;
    }

    void send(int kind, int microBatch, Tensor t, int dst) {
        int[] shape = t.shape();
        if (shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("pipeline tensors have at most " + MAX_DIMS + " dims, got "
                    + Arrays.toString(shape));
        }
        float[] header = new float[HEADER];
        header[0] = MAGIC;
        header[1] = kind * 1_000_000f + microBatch;
        header[2] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            header[3 + i] = shape[i];
        }
        float[] data = t.to(DType.F32).contiguous().toFloatArray();
        group.sendAsync(header, 0, HEADER, dst);
        group.send(data, 0, data.length, dst);
    }

    Tensor recv(int kind, int microBatch, int src) {
        float[] header = new float[HEADER];
        group.recv(header, 0, HEADER, src);
        float expected = kind * 1_000_000f + microBatch;
        if (header[0] != MAGIC || header[1] != expected) {
            throw new DistributedException("pipeline recv", src, "stage " + group.rank() + " expected "
                    + describe(expected) + " from stage " + src + " but got " + (header[0] != MAGIC
                    ? "a message that is not a pipeline tensor" : describe(header[1])));
        }
        int dims = (int) header[2];
        int[] shape = new int[dims];
        int n = 1;
        for (int i = 0; i < dims; i++) {
            shape[i] = (int) header[3 + i];
            n *= shape[i];
        }
        float[] data = new float[n];
        group.recv(data, 0, n, src);
        return Tensor.of(data, shape);
    }

    private static String describe(float tag) {
        int kind = (int) (tag / 1_000_000f);
        int mb = (int) (tag - kind * 1_000_000f);
        return (kind == ACTIVATION ? "activation" : kind == GRADIENT ? "gradient" : "kind " + kind)
                + " of micro-batch " + mb;
    }
}
