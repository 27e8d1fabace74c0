package dev.brisk.tensor.functional;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.SoftmaxKernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Differentiable scaled dot-product attention, PyTorch's {@code F.scaled_dot_product_attention} without dropout:
 *
 * <pre>
 *   S = q·kᵀ                      (B, H, T, hs)·(B, H, hs, S) -> (B, H, T, S)   batched GEMM, kᵀ a view
 *   P = softmax(scale·S [+ mask])  fused kernel; causal: row i sees keys j ≤ i only
 *   y = P·v                       (B, H, T, S)·(B, H, S, hv) -> (B, H, T, hv)
 * </pre>
 *
 * Only P is kept for backward (B·H·T·S floats; the inputs are alive anyway). Masked probabilities are exact
 * zeros and masked scores are never read, so with finite inputs changing a later token's q, k or v never
 * changes an earlier output, not even in the last bit.
 */
public final class Attention {

    private Attention() {
    }

    /** {@link #scaledDotProduct(Tensor, Tensor, Tensor, boolean, float)} with scale = 1/√hs. */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal) {
        return scaledDotProduct(q, k, v, causal, (float) (1.0 / Math.sqrt(q.size(-1))));
    }

    /**
     * Attention of q (..., T, hs) over k (..., S, hs) and v (..., S, hv), all with the same leading dims
     * (typically (B, H)); returns (..., T, hv). Causal masks key j > query i (top-left aligned).
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal, float scale) {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(v, "v");
        check(q, k, v, scale);
        int rows = q.size(-2);
        int cols = k.size(-2);
        SoftmaxKernels kernels = Kernels.get().softmax();
        Tensor p;
        Tensor out;
        try (var s = GradMode.noGrad()) {
            p = q.matmul(k.transpose(-1, -2)).to(DType.F32).contiguous();   // (..., T, S), fresh F32
            int batch = rows == 0 || cols == 0 ? 0 : p.numel() / (rows * cols);
            if (batch > 0) {
                kernels.attentionSoftmax(p.storage().floats(), p.offset(), batch, rows, cols, scale, causal,
                        p.storage().floats(), p.offset());
            }
            out = p.matmul(v);
        }
        // y = P·v, P = softmax(scale·q·kᵀ)  =>  dv = Pᵀ·g;  dP = g·vᵀ;  dS = scale·P ⊙ (dP − Σ dP⊙P) (fused, in
        // place, zero where masked);  dq = dS·k;  dk = dSᵀ·q. Transposes are views that GEMM reads as stored.
        return Graph.record(out, "scaledDotProductAttention", g -> {
            Tensor gf = g.to(DType.F32);
            Tensor dv = v.requiresGrad() ? p.transpose(-1, -2).matmul(gf) : null;
            Tensor dq = null;
            Tensor dk = null;
            if (q.requiresGrad() || k.requiresGrad()) {
                Tensor ds = gf.matmul(v.transpose(-1, -2)).to(DType.F32).contiguous();   // dP, then dS in place
                int batch = rows == 0 || cols == 0 ? 0 : ds.numel() / (rows * cols);
                if (batch > 0) {
                    kernels.attentionSoftmaxBackward(p.storage().floats(), p.offset(), ds.storage().floats(),
                            ds.offset(), batch, rows, cols, scale, causal, ds.storage().floats(), ds.offset());
                }
                dq = q.requiresGrad() ? ds.matmul(k) : null;
                dk = k.requiresGrad() ? ds.transpose(-1, -2).matmul(q) : null;
            }
            return new Tensor[] {dq, dk, dv};
        }, q, k, v);
    }

    private static void check(Tensor q, Tensor k, Tensor v, float scale) {
        if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim()) {
            throw new IllegalArgumentException("scaledDotProduct: q, k, v must have the same rank ≥ 2, e.g. (B, H, T, hs);"
                    + " got " + shapes(q, k, v));
        }
        int r = q.dim();
        int[] qs = q.shape();
        int[] ks = k.shape();
        int[] vs = v.shape();
        if (!Arrays.equals(qs, 0, r - 2, ks, 0, r - 2) || !Arrays.equals(qs, 0, r - 2, vs, 0, r - 2)) {
            throw new IllegalArgumentException("scaledDotProduct: q, k, v need the same leading (batch, head) dims; got "
                    + shapes(q, k, v));
        }
        if (qs[r - 1] != ks[r - 1]) {
            throw new IllegalArgumentException("scaledDotProduct: q and k need the same head size (last dim); got "
                    + shapes(q, k, v));
        }
        if (ks[r - 2] != vs[r - 2]) {
            throw new IllegalArgumentException("scaledDotProduct: k and v need the same sequence length (dim -2); got "
                    + shapes(q, k, v));
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("scaledDotProduct: scale must be finite, got " + scale);
        }
    }

    private static String shapes(Tensor q, Tensor k, Tensor v) {
        return "q " + Arrays.toString(q.shape()) + ", k " + Arrays.toString(k.shape()) + ", v "
                + Arrays.toString(v.shape());
    }
}
