package dev.brisk.tensor;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.UnaryOp;

/**
 * Elementwise ops with BF16 operands or results (mixed-precision training) without F32 copies of whole tensors:
 * every run of the {@link StridedLoop} is cut into chunks of {@link #CHUNK} elements; a BF16 operand's chunk is
 * widened into one of this thread's small F32 buffers, the F32 kernel computes, and a BF16 result is rounded
 * straight into the output. A chunk stays in L1, so the op costs about what the F32 op costs, instead of three
 * extra passes and two full-size temporaries. F32 operands are read in place.
 */
final class Bf16Elementwise {

    static final int CHUNK = 1024;
    /** Runs shorter than this stay on their thread; longer single runs are split over the intra-op pool. */
    private static final int PARALLEL_MIN = 1 << 15;
    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK], new float[CHUNK]});

    private Bf16Elementwise() {
    }

    /** Whether this path serves operands of these dtypes and result type: F32/BF16 only, some BF16. */
    static boolean applies(DType result, Tensor... operands) {
        if (result != DType.BF16 && result != DType.F32) {
            return false;
        }
        boolean any = result == DType.BF16;
        for (Tensor t : operands) {
            if (t.dtype() != DType.F32 && t.dtype() != DType.BF16) {
                return false;
            }
            any |= t.dtype() == DType.BF16;
        }
        return any;
    }

    static Tensor unary(UnaryOp op, Tensor x, DType resultType) {
        int[] shape = x.shapeRef();
        Tensor out = Tensor.zeros(resultType, shape);
        Tensor a = x;
        StridedLoop loop = StridedLoop.of(shape, out.stridesRef(), a.stridesRef());
        if (loop.innerStride(1) != 1) {
            a = a.contiguous();
            loop = StridedLoop.of(shape, out.stridesRef(), a.stridesRef());
        }
        Operand in = Operand.of(a, 1);
        Operand o = Operand.of(out, 1);
        ElementwiseKernels k = Kernels.get().elementwise();
        loop.run(new int[] {0, a.offset()}, (off, n) -> {
            int oo = off[0];
            int ao = off[1];
            chunks(n, (i, len, buf) -> {
                float[] src = in.read(ao + i, len, buf[0]);
                int s = in.floatOffset(ao + i);
                float[] dst = o.target(buf[2]);
                int d = o.floatOffset(oo + i);
                k.unary(op, src, s, dst, d, len);
                o.write(dst, oo + i, len);
            });
        });
        return out;
    }

    static Tensor binary(BinaryOp op, Tensor x, Tensor y, DType resultType, String name) {
        int[] shape = Shapes.broadcast(name, x.shapeRef(), y.shapeRef());
        Tensor out = Tensor.zeros(resultType, shape);
        Tensor a = x;
        Tensor b = y;
        StridedLoop loop = loop(shape, out, a, b);
        if (!unitOrZero(loop.innerStride(1))) {
            a = a.contiguous();
        }
        if (!unitOrZero(loop.innerStride(2))) {
            b = b.contiguous();
        }
        loop = loop(shape, out, a, b);
        Operand ia = Operand.of(a, loop.innerStride(1));
        Operand ib = Operand.of(b, loop.innerStride(2));
        Operand o = Operand.of(out, 1);
        ElementwiseKernels k = Kernels.get().elementwise();
        loop.run(new int[] {0, a.offset(), b.offset()}, (off, n) -> {
            int oo = off[0];
            int ao = off[1];
            int bo = off[2];
            chunks(n, (i, len, buf) -> {
                int ai = ao + i * ia.stride;
                int bi = bo + i * ib.stride;
                float[] av = ia.read(ai, len, buf[0]);
                float[] bv = ib.read(bi, len, buf[1]);
                float[] dst = o.target(buf[2]);
                k.binary(op, av, ia.floatOffset(ai), ia.stride, bv, ib.floatOffset(bi), ib.stride, dst,
                        o.floatOffset(oo + i), len);
                o.write(dst, oo + i, len);
            });
        });
        return out;
    }

    /** g · op'(x) for a BF16 {@code x} and an F32 or BF16 {@code g} of the same shape, in F32. */
    static Tensor unaryGrad(UnaryOp op, Tensor x, Tensor g) {
        Tensor xc = x.contiguous();
        Tensor gc = g.contiguous();
        Tensor out = Tensor.zeros(x.shapeRef());
        Operand ix = Operand.of(xc, 1);
        Operand ig = Operand.of(gc, 1);
        float[] ov = out.storage().floats();
        ElementwiseKernels k = Kernels.get().elementwise();
        int xo = xc.offset();
        int go = gc.offset();
        chunks(out.numel(), (i, len, buf) -> k.unaryGrad(op, ix.read(xo + i, len, buf[0]), ix.floatOffset(xo + i),
                ig.read(go + i, len, buf[1]), ig.floatOffset(go + i), ov, i, len));
        return out;
    }

    @FunctionalInterface
    private interface Chunk {
        /** Elements {@code [i, i + len)} of the run, with this thread's three F32 buffers. */
        void apply(int i, int len, float[][] buffers);
    }

    /** Walks {@code [0, n)} in chunks, over the pool when the run is long (a nested call runs serially). */
    private static void chunks(int n, Chunk body) {
        if (n < PARALLEL_MIN || Parallel.threads() == 1) {
            range(0, n, body);
            return;
        }
        int blocks = (n + CHUNK - 1) / CHUNK;
        int tasks = Math.min(blocks, 4 * Parallel.threads());
        Parallel.forEach(tasks, t -> {
            int from = (int) ((long) blocks * t / tasks) * CHUNK;
            int to = (int) Math.min(n, (long) blocks * (t + 1) / tasks * CHUNK);
            range(from, to, body);
        });
    }

    private static void range(int from, int to, Chunk body) {
        float[][] buf = BUFFERS.get();
        for (int i = from; i < to; i += CHUNK) {
            body.apply(i, Math.min(CHUNK, to - i), buf);
        }
    }

    /** One operand (or the output) of a loop: F32 storage used in place, or BF16 storage converted per chunk. */
    private record Operand(float[] f, short[] h, int stride) {

        static Operand of(Tensor t, int stride) {
            return t.dtype() == DType.BF16 ? new Operand(null, t.storage().shorts(), stride)
                    : new Operand(t.storage().floats(), null, stride);
        }

        /** The floats holding elements from storage offset {@code at} on: the storage, or {@code buf} widened. */
        float[] read(int at, int len, float[] buf) {
            if (f != null) {
                return f;
            }
            if (stride == 0) {
                buf[0] = DTypes.bf16ToFloat(h[at]);
            } else {
                Kernels.get().elementwise().fromBf16(h, at, buf, 0, len);
            }
            return buf;
        }

        /** Where element {@code at} sits in the array {@link #read} returns. */
        int floatOffset(int at) {
            return f != null ? at : 0;
        }

        /** The array a kernel writes this output's chunk into: the storage itself, or {@code buf}. */
        float[] target(float[] buf) {
            return f != null ? f : buf;
        }

        /** Finishes an output chunk written to {@link #target}: rounds it into the BF16 storage. */
        void write(float[] written, int at, int len) {
            if (h != null) {
                Kernels.get().elementwise().toBf16(written, 0, h, at, len);
            }
        }
    }

    private static StridedLoop loop(int[] shape, Tensor out, Tensor a, Tensor b) {
        return StridedLoop.of(shape, out.stridesRef(),
                Shapes.broadcastStrides(a.shapeRef(), a.stridesRef(), shape),
                Shapes.broadcastStrides(b.shapeRef(), b.stridesRef(), shape));
    }

    private static boolean unitOrZero(int stride) {
        return stride == 0 || stride == 1;
    }
}
