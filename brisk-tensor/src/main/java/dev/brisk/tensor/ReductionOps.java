package dev.brisk.tensor;

import dev.brisk.tensor.backend.ReduceOp;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reductions over any set of dims. The reduced dims are brought to the (outer, r, inner) layout of
 * {@link dev.brisk.tensor.backend.ReductionKernels}: when they are consecutive, a contiguous tensor already has
 * it (inner > 1 reduces columns, which vectorises); otherwise they are permuted to the end (inner = 1).
 */
final class ReductionOps {

    private ReductionOps() {
    }

    static int[] allDims(int rank) {
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = i;
        }
        return d;
    }

    /** Normalised, sorted, unique dims; an empty list means all dims (as PyTorch). */
    static int[] normalize(String op, int[] dims, int rank) {
        if (dims.length == 0) {
            return allDims(rank);
        }
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            d[i] = Shapes.dim(op, dims[i], rank);
        }
        Arrays.sort(d);
        for (int i = 1; i < d.length; i++) {
            if (d[i] == d[i - 1]) {
                throw new IllegalArgumentException(op + ": dim " + d[i] + " appears twice in " + Arrays.toString(dims));
            }
        }
        return d;
    }

    /** Output shape: reduced dims removed, or kept as 1. */
    static int[] reducedShape(int[] shape, int[] dims, boolean keepDim) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) {
            red[d] = true;
        }
        int[] out = new int[keepDim ? shape.length : shape.length - dims.length];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!red[i]) {
                out[j++] = shape[i];
            } else if (keepDim) {
                out[j++] = 1;
            }
        }
        return out;
    }

    /** x as a contiguous F32 block in (outer, r, inner) layout over {@code dims}; returns {outer, r, inner}. */
    private static int[] layout(Tensor x, int[] dims, Tensor[] block) {
        int[] shape = x.shapeRef();
        boolean consecutive = dims[dims.length - 1] - dims[0] == dims.length - 1;
        if (consecutive) {
            block[0] = x.contiguous();
            int outer = Shapes.numel(Arrays.copyOfRange(shape, 0, dims[0]));
            int r = Shapes.numel(Arrays.copyOfRange(shape, dims[0], dims[dims.length - 1] + 1));
            int inner = Shapes.numel(Arrays.copyOfRange(shape, dims[dims.length - 1] + 1, shape.length));
            return new int[] {outer, r, inner};
        }
        int[] perm = new int[shape.length];
        boolean[] red = new boolean[shape.length];
        for (int d : dims) {
            red[d] = true;
        }
        int j = 0;
        int outer = 1;
        int r = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) {
                perm[j++] = i;
                outer *= shape[i];
            }
        }
        for (int d : dims) {
            perm[j++] = d;
            r *= shape[d];
        }
        block[0] = x.permute(perm).contiguous();
        return new int[] {outer, r, 1};
    }

    static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepDim) {
        String name = op.name().toLowerCase(Locale.ROOT);
        if (op == ReduceOp.SUM && !x.dtype().isFloatingPoint()) {
            return integerSum(x, dims, keepDim);
        }
        DType resultType = ElementwiseOps.floatType(name, x);
        if (x.dim() == 0) {
            return x.copy();
        }
        int[] d = normalize(name, dims, x.dim());
        Tensor[] block = new Tensor[1];
        int[] l = layout(x.to(DType.F32), d, block);
        int outer = l[0];
        int r = l[1];
        int inner = l[2];
        int[] outShape = reducedShape(x.shapeRef(), d, keepDim);
        Tensor out = Tensor.zeros(outShape);
        if (r == 0) {
            if (op != ReduceOp.SUM) {
                throw new IllegalArgumentException(name + ": cannot reduce over a zero-size dimension of shape "
                        + Shapes.format(x.shapeRef()));
            }
            return out.to(resultType);
        }
        if (outer * inner > 0) {
            Kernels.get().reductions().reduce(op, block[0].storage().floats(), block[0].offset(), outer, r, inner,
                    out.storage().floats(), 0);
        }
        return out.to(resultType);
    }

    /** Sum of an integer or BOOL tensor as I64, exactly (counting correct predictions, masks), as PyTorch. */
    private static Tensor integerSum(Tensor x, int[] dims, boolean keepDim) {
        if (x.dim() == 0) {
            return x.to(DType.I64).copy();
        }
        int[] d = normalize("sum", dims, x.dim());
        Tensor[] block = new Tensor[1];
        int[] l = layout(x, d, block);
        int outer = l[0];
        int r = l[1];
        int inner = l[2];
        Tensor out = Tensor.zeros(DType.I64, reducedShape(x.shapeRef(), d, keepDim));
        Storage src = block[0].storage();
        long[] o = out.storage().longs();
        int base = block[0].offset();
        for (int a = 0; a < outer; a++) {
            for (int j = 0; j < r; j++) {
                for (int i = 0; i < inner; i++) {
                    o[a * inner + i] += src.getLong(base + (a * r + j) * inner + i);
                }
            }
        }
        return out;
    }

    static Tensor argReduce(boolean max, Tensor x, int dim, boolean keepDim) {
        String name = max ? "argmax" : "argmin";
        ElementwiseOps.floatType(name, x);
        if (x.dim() == 0) {
            return Tensor.zeros(DType.I64);
        }
        int[] d = {Shapes.dim(name, dim, x.dim())};
        Tensor[] block = new Tensor[1];
        int[] l = layout(x.to(DType.F32), d, block);
        if (l[1] == 0) {
            throw new IllegalArgumentException(name + ": cannot reduce over a zero-size dimension of shape "
                    + Shapes.format(x.shapeRef()));
        }
        Tensor out = Tensor.zeros(DType.I64, reducedShape(x.shapeRef(), d, keepDim));
        if (l[0] * l[2] > 0) {
            Kernels.get().reductions().argReduce(max, block[0].storage().floats(), block[0].offset(), l[0], l[1],
                    l[2], out.storage().longs(), 0);
        }
        return out;
    }

    static Tensor softmax(Tensor x, int dim, boolean log) {
        String name = log ? "logSoftmax" : "softmax";
        DType resultType = ElementwiseOps.floatType(name, x);
        if (x.dim() == 0) {
            return Tensor.scalar(log ? 0f : 1f).to(resultType);
        }
        int d = Shapes.dim(name, dim, x.dim());
        int last = x.dim() - 1;
        Tensor src = (d == last ? x : x.transpose(d, last)).to(DType.F32).contiguous();
        int cols = src.shapeRef()[last];
        int rows = cols == 0 ? 0 : src.numel() / cols;
        Tensor out = Tensor.zeros(src.shapeRef());
        if (rows > 0) {
            Kernels.get().softmax().softmax(log, src.storage().floats(), src.offset(), rows, cols,
                    out.storage().floats(), 0);
        }
        if (d != last) {
            out = out.transpose(d, last).contiguous();
        }
        return out.to(resultType);
    }
}
