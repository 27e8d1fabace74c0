package dev.brisk.tensor;

import java.util.Arrays;

/** Indexing (gather, scatter-add, index-select) and joining (cat, stack). Index tensors are I64 or I32. */
final class IndexOps {

    private IndexOps() {
    }

    private static void requireIndex(String op, Tensor index) {
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be I64 or I32, got " + index.dtype());
        }
    }

    private static int checkedIndex(String op, long v, int size, int dim) {
        if (v < -size || v >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + v + " is out of bounds for dim " + dim
                    + " of size " + size);
        }
        return (int) (v < 0 ? v + size : v);
    }

    /** Calls body(position, offsetInIndexStorage) over every element of {@code shape} in row-major order. */
    private interface Visitor {
        void visit(int[] position, int indexOffset);
    }

    private static void forEachPosition(Tensor index, Visitor body) {
        int[] shape = index.shapeRef();
        int n = index.numel();
        int[] pos = new int[shape.length];
        for (int i = 0; i < n; i++) {
            int off = index.offset();
            for (int d = 0; d < shape.length; d++) {
                off += pos[d] * index.stridesRef()[d];
            }
            body.visit(pos, off);
            for (int d = shape.length - 1; d >= 0 && ++pos[d] == shape[d]; d--) {
                pos[d] = 0;
            }
        }
    }

    private static void checkGatherShapes(String op, Tensor x, int d, Tensor index) {
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException(op + ": index has shape " + Shapes.format(index.shapeRef())
                    + " but must have the same number of dims as the input " + Shapes.format(x.shapeRef()));
        }
        for (int i = 0; i < x.dim(); i++) {
            if (i != d && index.shapeRef()[i] > x.shapeRef()[i]) {
                throw new IllegalArgumentException(op + ": index shape " + Shapes.format(index.shapeRef())
                        + " exceeds input shape " + Shapes.format(x.shapeRef()) + " in dim " + i);
            }
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        requireIndex("gather", index);
        int d = Shapes.dim("gather", dim, Math.max(x.dim(), 1));
        checkGatherShapes("gather", x, d, index);
        Tensor out = Tensor.zeros(x.dtype(), index.shapeRef());
        Storage src = x.storage();
        Storage dst = out.storage();
        Storage idx = index.storage();
        int[] xs = x.stridesRef();
        int size = x.shapeRef()[d];
        int[] counter = {0};
        forEachPosition(index, (pos, io) -> {
            int off = x.offset();
            for (int i = 0; i < pos.length; i++) {
                int p = i == d ? checkedIndex("gather", idx.getLong(io), size, d) : pos[i];
                off += p * xs[i];
            }
            copyElement(src, off, dst, counter[0]++);
        });
        return out;
    }

    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        requireIndex("scatterAdd", index);
        int d = Shapes.dim("scatterAdd", dim, Math.max(x.dim(), 1));
        checkGatherShapes("scatterAdd", x, d, index);
        if (src.dim() != index.dim()) {
            throw new IllegalArgumentException("scatterAdd: src shape " + Shapes.format(src.shapeRef())
                    + " must have as many dims as index " + Shapes.format(index.shapeRef()));
        }
        for (int i = 0; i < index.dim(); i++) {
            if (index.shapeRef()[i] > src.shapeRef()[i]) {
                throw new IllegalArgumentException("scatterAdd: index shape " + Shapes.format(index.shapeRef())
                        + " exceeds src shape " + Shapes.format(src.shapeRef()) + " in dim " + i);
            }
        }
        Tensor out = x.copy();
        Storage o = out.storage();
        Storage s = src.storage();
        Storage idx = index.storage();
        int[] os = out.stridesRef();
        int[] ss = src.stridesRef();
        int size = x.shapeRef()[d];
        forEachPosition(index, (pos, io) -> {
            int off = 0;
            int soff = src.offset();
            for (int i = 0; i < pos.length; i++) {
                int p = i == d ? checkedIndex("scatterAdd", idx.getLong(io), size, d) : pos[i];
                off += p * os[i];
                soff += pos[i] * ss[i];
            }
            o.set(off, o.get(off) + s.get(soff));
        });
        return out;
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        requireIndex("indexSelect", index);
        if (index.dim() > 1) {
            throw new IllegalArgumentException("indexSelect: index must be 0-D or 1-D, got shape "
                    + Shapes.format(index.shapeRef()));
        }
        int d = Shapes.dim("indexSelect", dim, x.dim());
        long[] ids = index.toLongArray();
        int[] shape = x.shape();
        shape[d] = ids.length;
        Tensor out = Tensor.zeros(x.dtype(), shape);
        for (int i = 0; i < ids.length; i++) {
            int row = checkedIndex("indexSelect", ids[i], x.shapeRef()[d], d);
            out.select(d, i).copyFrom(x.select(d, row));
        }
        return out;
    }

    static Tensor cat(int dim, Tensor... ts) {
        if (ts.length == 0) {
            throw new IllegalArgumentException("cat: needs at least one tensor");
        }
        Tensor first = ts[0];
        int d = Shapes.dim("cat", dim, first.dim());
        int total = 0;
        for (Tensor t : ts) {
            if (t.dim() != first.dim() || t.dtype() != first.dtype()) {
                throw new IllegalArgumentException("cat: tensors must have the same rank and dtype, got "
                        + Shapes.format(first.shapeRef()) + " " + first.dtype() + " and "
                        + Shapes.format(t.shapeRef()) + " " + t.dtype());
            }
            for (int i = 0; i < t.dim(); i++) {
                if (i != d && t.shapeRef()[i] != first.shapeRef()[i]) {
                    throw new IllegalArgumentException("cat: shapes " + Shapes.format(first.shapeRef()) + " and "
                            + Shapes.format(t.shapeRef()) + " differ outside dim " + d);
                }
            }
            total += t.shapeRef()[d];
        }
        int[] shape = first.shape();
        shape[d] = total;
        Tensor out = Tensor.zeros(first.dtype(), shape);
        int at = 0;
        for (Tensor t : ts) {
            int len = t.shapeRef()[d];
            if (len > 0) {
                out.narrow(d, at, len).copyFrom(t);
            }
            at += len;
        }
        return out;
    }

    static Tensor stack(int dim, Tensor... ts) {
        if (ts.length == 0) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        int d = Shapes.dim("stack", dim, ts[0].dim() + 1);
        Tensor[] u = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            if (!Arrays.equals(ts[i].shapeRef(), ts[0].shapeRef())) {
                throw new IllegalArgumentException("stack: all tensors need the same shape, got "
                        + Shapes.format(ts[0].shapeRef()) + " and " + Shapes.format(ts[i].shapeRef()));
            }
            u[i] = ts[i].unsqueeze(d);
        }
        return cat(d, u);
    }

    private static void copyElement(Storage src, int from, Storage dst, int to) {
        if (src.dtype().isFloatingPoint()) {
            dst.set(to, src.get(from));
        } else {
            dst.setLong(to, src.getLong(from));
        }
    }

    /** zeros(shape) with {@code g}'s slices added at {@code index} along {@code dim} (index_add; repeats sum). */
    static Tensor indexAdd(int[] shape, int dim, Tensor index, Tensor g) {
        int d = Shapes.dim("indexAdd", dim, shape.length);
        long[] ids = index.toLongArray();
        Tensor out = Tensor.zeros(shape);
        float[] o = out.storage().floats();
        for (int i = 0; i < ids.length; i++) {
            int row = checkedIndex("indexAdd", ids[i], shape[d], d);
            Tensor dst = out.select(d, row);
            Tensor add = g.select(d, i).to(DType.F32).contiguous();
            if (dst.isContiguous()) {
                float[] a = add.storage().floats();
                var k = Kernels.get().elementwise();
                k.binary(dev.brisk.tensor.backend.BinaryOp.ADD, o, dst.offset(), 1, a, add.offset(), 1, o,
                        dst.offset(), add.numel());
            } else {
                dst.copyFrom(ElementwiseOps.binary(dev.brisk.tensor.backend.BinaryOp.ADD, dst, add));
            }
        }
        return out;
    }
}
