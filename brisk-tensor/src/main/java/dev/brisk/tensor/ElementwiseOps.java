package dev.brisk.tensor;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.UnaryOp;
import java.util.Locale;

/**
 * Broadcasting elementwise ops: the tensor side of {@link dev.brisk.tensor.backend.ElementwiseKernels}. Operands
 * are widened to F32 (BF16 ones chunk by chunk, see {@link Bf16Elementwise}), split into runs by
 * {@link StridedLoop}, and each run goes to the active kernel; an operand whose innermost stride is neither 0 nor
 * 1 (a transposed view) is made contiguous first.
 */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    static Tensor unary(UnaryOp op, Tensor x) {
        DType resultType = floatType(op.name().toLowerCase(Locale.ROOT), x);
        if (Bf16Elementwise.applies(resultType, x)) {
            return Bf16Elementwise.unary(op, x, resultType);
        }
        Tensor a = x.to(DType.F32);
        int[] shape = a.shapeRef();
        Tensor out = Tensor.zeros(shape);
        StridedLoop loop = StridedLoop.of(shape, out.stridesRef(), a.stridesRef());
        if (loop.innerStride(1) != 1) {
            a = a.contiguous();
            loop = StridedLoop.of(shape, out.stridesRef(), a.stridesRef());
        }
        float[] src = a.storage().floats();
        float[] dst = out.storage().floats();
        var k = Kernels.get().elementwise();
        loop.run(new int[] {0, a.offset()}, (off, n) -> k.unary(op, src, off[1], dst, off[0], n));
        return out.to(resultType);
    }

    static Tensor binary(BinaryOp op, Tensor x, Tensor y) {
        String name = op.name().toLowerCase(Locale.ROOT);
        DType resultType = promote(name, x, y);
        if (Bf16Elementwise.applies(resultType, x, y)) {
            return Bf16Elementwise.binary(op, x, y, resultType, name);
        }
        Tensor a = x.to(DType.F32);
        Tensor b = y.to(DType.F32);
        int[] shape = Shapes.broadcast(name, a.shapeRef(), b.shapeRef());
        Tensor out = Tensor.zeros(shape);
        StridedLoop loop = loop(shape, out, a, b);
        if (!unitOrZero(loop.innerStride(1)) || !unitOrZero(loop.innerStride(2))) {
            if (!unitOrZero(loop.innerStride(1))) {
                a = a.contiguous();
            }
            if (!unitOrZero(loop.innerStride(2))) {
                b = b.contiguous();
            }
            loop = loop(shape, out, a, b);
        }
        int sa = loop.innerStride(1);
        int sb = loop.innerStride(2);
        float[] av = a.storage().floats();
        float[] bv = b.storage().floats();
        float[] ov = out.storage().floats();
        var k = Kernels.get().elementwise();
        loop.run(new int[] {0, a.offset(), b.offset()},
                (off, n) -> k.binary(op, av, off[1], sa, bv, off[2], sb, ov, off[0], n));
        return out.to(resultType);
    }

    static Tensor compare(CompareOp op, Tensor x, Tensor y) {
        String name = op.name().toLowerCase(Locale.ROOT);
        int[] shape = Shapes.broadcast(name, x.shapeRef(), y.shapeRef());
        Tensor out = Tensor.zeros(DType.BOOL, shape);
        boolean[] ov = out.storage().bools();
        if (!x.dtype().isFloatingPoint() && !y.dtype().isFloatingPoint()) {
            // integers compare exactly as longs (labels, indices)
            StridedLoop loop = loop(shape, out, x, y);
            Storage xs = x.storage();
            Storage ys = y.storage();
            int sx = loop.innerStride(1);
            int sy = loop.innerStride(2);
            loop.run(new int[] {0, x.offset(), y.offset()}, (off, n) -> {
                for (int i = 0; i < n; i++) {
                    long a = xs.getLong(off[1] + i * sx);
                    long b = ys.getLong(off[2] + i * sy);
                    ov[off[0] + i] = switch (op) {
                        case EQ -> a == b;
                        case NE -> a != b;
                        case LT -> a < b;
                        case LE -> a <= b;
                        case GT -> a > b;
                        case GE -> a >= b;
                    };
                }
            });
            return out;
        }
        Tensor a = x.to(DType.F32);
        Tensor b = y.to(DType.F32);
        StridedLoop loop = loop(shape, out, a, b);
        if (!unitOrZero(loop.innerStride(1)) || !unitOrZero(loop.innerStride(2))) {
            a = a.contiguous();
            b = b.contiguous();
            loop = loop(shape, out, a, b);
        }
        int sa = loop.innerStride(1);
        int sb = loop.innerStride(2);
        float[] av = a.storage().floats();
        float[] bv = b.storage().floats();
        var k = Kernels.get().elementwise();
        loop.run(new int[] {0, a.offset(), b.offset()},
                (off, n) -> k.compare(op, av, off[1], sa, bv, off[2], sb, ov, off[0], n));
        return out;
    }

    static Tensor where(Tensor cond, Tensor x, Tensor y) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be BOOL, got " + cond.dtype());
        }
        DType resultType = promote("where", x, y);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shapeRef(), x.shapeRef()),
                y.shapeRef());
        Tensor a = x.to(DType.F32);
        Tensor b = y.to(DType.F32);
        Tensor out = Tensor.zeros(shape);
        StridedLoop loop = StridedLoop.of(shape, out.stridesRef(),
                Shapes.broadcastStrides(cond.shapeRef(), cond.stridesRef(), shape),
                Shapes.broadcastStrides(a.shapeRef(), a.stridesRef(), shape),
                Shapes.broadcastStrides(b.shapeRef(), b.stridesRef(), shape));
        boolean[] cv = cond.storage().bools();
        float[] av = a.storage().floats();
        float[] bv = b.storage().floats();
        float[] ov = out.storage().floats();
        int sc = loop.innerStride(1);
        int sa = loop.innerStride(2);
        int sb = loop.innerStride(3);
        loop.run(new int[] {0, cond.offset(), a.offset(), b.offset()}, (off, n) -> {
            for (int i = 0; i < n; i++) {
                ov[off[0] + i] = cv[off[1] + i * sc] ? av[off[2] + i * sa] : bv[off[3] + i * sb];
            }
        });
        return out.to(resultType);
    }

    private static StridedLoop loop(int[] shape, Tensor out, Tensor a, Tensor b) {
        return StridedLoop.of(shape, out.stridesRef(),
                Shapes.broadcastStrides(a.shapeRef(), a.stridesRef(), shape),
                Shapes.broadcastStrides(b.shapeRef(), b.stridesRef(), shape));
    }

    private static boolean unitOrZero(int stride) {
        return stride == 0 || stride == 1;
    }

    /** The dtype of a one-input float op's result; integer inputs are refused with the fix. */
    static DType floatType(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": arithmetic needs a floating-point tensor, got " + x.dtype()
                    + " of shape " + Shapes.format(x.shapeRef()) + "; convert with .to(DType.F32)");
        }
        return x.dtype();
    }

    /**
     * Result dtype of a two-input op: the wider float type; 0-dim operands (scalars) don't widen a dimensioned
     * one, so {@code bf16Tensor.mul(2f)} stays BF16 as in PyTorch.
     */
    static DType promote(String op, Tensor x, Tensor y) {
        DType a = floatType(op, x);
        DType b = floatType(op, y);
        if (a == b) {
            return a;
        }
        if (x.dim() == 0 && y.dim() > 0) {
            return b;
        }
        if (y.dim() == 0 && x.dim() > 0) {
            return a;
        }
        return DType.F32;
    }
}
