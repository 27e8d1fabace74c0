package dev.brisk.tensor;

import dev.brisk.tensor.backend.GemmKernels;
import java.util.Arrays;

/**
 * torch.matmul semantics on the GEMM kernels. Each operand's last two dims are passed to GEMM as stored when
 * one of their strides is 1: a transposed view becomes a {@code trans} flag with its leading dimension, never a
 * copy. Batch dims broadcast; when an operand's batch dims collapse to one stride (0 for a broadcast operand)
 * the whole product is one batched call, otherwise it is one call per matrix.
 */
final class MatMul {

    private MatMul() {
    }

    static Tensor matmul(Tensor x, Tensor y) {
        if (x.dim() == 0 || y.dim() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least 1 dim, got shapes "
                    + Shapes.format(x.shapeRef()) + " and " + Shapes.format(y.shapeRef()));
        }
        DType resultType = ElementwiseOps.promote("matmul", x, y);
        Tensor a = x.dim() == 1 ? x.unsqueeze(0) : x;
        Tensor b = y.dim() == 1 ? y.unsqueeze(-1) : y;
        Tensor out = product(a, b);
        if (x.dim() == 1) {
            out = out.squeeze(-2);
        }
        if (y.dim() == 1) {
            out = out.squeeze(-1);
        }
        return out.to(resultType);
    }

    /** (..., m, k) · (..., k, n) -> (..., m, n) in F32. */
    private static Tensor product(Tensor a0, Tensor b0) {
        int[] as = a0.shapeRef();
        int[] bs = b0.shapeRef();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int k2 = bs[bs.length - 2];
        int n = bs[bs.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.format(as) + " and " + Shapes.format(bs)
                    + " cannot be multiplied (" + k + " != " + k2 + ")");
        }
        int[] batch = Shapes.broadcast("matmul", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        // F32 and BF16 operands go to the GEMM as stored (a bf16 one is widened while packing); others in F32
        Operand a = Operand.of(gemmType(a0), batch, m, k);
        Operand b = Operand.of(gemmType(b0), batch, k, n);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.zeros(outShape);
        int count = Shapes.numel(batch);
        if (count == 0 || m == 0 || n == 0) {
            return out;
        }
        GemmKernels g = Kernels.get().gemm();
        float[] c = out.storage().floats();
        long[] ab = a.batchStride();
        long[] bb = b.batchStride();
        if (count > 1 && ab != null && bb != null && bb[0] == 0 && !a.trans && ab[0] == (long) m * a.ld
                && (long) count * m <= Integer.MAX_VALUE) {
            // a batch of row blocks times one shared matrix (x·W of a linear layer on (batch, seq, features)) is
            // one tall GEMM: B is packed once instead of once per matrix, and the tiles span the whole batch
            g.mixedGemm(false, b.trans, count * m, n, k, 1f, a.data(), a.t.offset(), a.ld,
                    b.data(), b.t.offset(), b.ld, 0f, c, 0, n);
            return out;
        }
        if (ab != null && bb != null) {
            g.mixedGemmBatched(count, a.trans, b.trans, m, n, k, 1f,
                    a.data(), a.t.offset(), a.ld, ab[0],
                    b.data(), b.t.offset(), b.ld, bb[0],
                    0f, c, 0, n, (long) m * n);
            return out;
        }
        int[] idx = new int[batch.length];
        for (int i = 0; i < count; i++) {
            g.mixedGemm(a.trans, b.trans, m, n, k, 1f, a.data(), a.offsetOf(idx), a.ld,
                    b.data(), b.offsetOf(idx), b.ld, 0f, c, i * m * n, n);
            for (int d = idx.length - 1; d >= 0 && ++idx[d] == batch[d]; d--) {
                idx[d] = 0;
            }
        }
        return out;
    }

    private static Tensor gemmType(Tensor t) {
        return t.dtype() == DType.F32 || t.dtype() == DType.BF16 ? t : t.to(DType.F32);
    }

    /** One GEMM operand: its tensor, whether it is stored transposed, its leading dim and batch strides. */
    private record Operand(Tensor t, boolean trans, int ld, int[] batchShape, int[] batchStrides) {

        static Operand of(Tensor t, int[] batch, int rows, int cols) {
            int r = t.dim() - 2;
            int sr = t.stridesRef()[r];
            int sc = t.stridesRef()[r + 1];
            Tensor src = t;
            boolean trans;
            int ld;
            if (sc == 1 && (rows <= 1 || sr >= cols)) {
                trans = false;
                ld = Math.max(sr, Math.max(cols, 1));
            } else if (sr == 1 && (cols <= 1 || sc >= rows)) {
                trans = true;
                ld = Math.max(sc, Math.max(rows, 1));
            } else {
                src = t.contiguous();
                trans = false;
                ld = Math.max(cols, 1);
            }
            int[] st = Shapes.broadcastStrides(Arrays.copyOf(src.shapeRef(), r),
                    Arrays.copyOf(src.stridesRef(), r), batch);
            return new Operand(src, trans, ld, batch, st);
        }

        /** The storage array: float[] for F32, short[] (bits) for BF16. */
        Object data() {
            return t.dtype() == DType.BF16 ? t.storage().shorts() : t.storage().floats();
        }

        int offsetOf(int[] idx) {
            int o = t.offset();
            for (int d = 0; d < idx.length; d++) {
                o += idx[d] * batchStrides[d];
            }
            return o;
        }

        /** The single stride that walks all batch matrices in order, or null when the batch dims don't collapse. */
        long[] batchStride() {
            long stride = -1;
            long expectNext = -1;
            for (int d = batchShape.length - 1; d >= 0; d--) {
                if (batchShape[d] == 1) {
                    continue;
                }
                if (stride < 0) {
                    stride = batchStrides[d];
                } else if (batchStrides[d] != expectNext) {
                    return null;
                }
                expectNext = (long) batchStrides[d] * batchShape[d];
            }
            return new long[] {Math.max(stride, 0)};
        }
    }
}
