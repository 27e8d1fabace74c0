package dev.brisk.tensor;

/** Differentiable matmul. */
final class LinalgGrad {

    private LinalgGrad() {
    }

    static Tensor matmul(Tensor a0, Tensor b0) {
        Tensor a = Autocast.forCompute(a0);
        Tensor b = Autocast.forCompute(b0);
        DType cast = Autocast.active();
        if (!Graph.needed(a, b)) {
            Tensor out = MatMul.matmul(a, b);
            return cast == null ? out : out.to(cast);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = MatMul.matmul(a, b);
            out = cast == null ? out : out.to(cast);
        }
        int[] as = a.shape();
        int[] bs = b.shape();
        // C = A·B  =>  dA = g·Bᵀ, dB = Aᵀ·g; 1-D operands are promoted to matrices and squeezed back, broadcast
        // batch dims are summed back to each operand's shape. Transposes are views: GEMM reads them as stored.
        return Graph.record(out, "matmul", g -> {
            Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
            Tensor b2 = b.dim() == 1 ? b.unsqueeze(-1) : b;
            int[] out2 = fullShape(a2, b2);
            Tensor g2 = g.reshape(out2);
            Tensor da = a.requiresGrad() ? Graph.sumTo(MatMul.matmul(g2, b2.transpose(-1, -2)), a2.shape()).reshape(as)
                    : null;
            Tensor db = !b.requiresGrad() ? null
                    : b.dim() == 2 ? sharedRightGrad(a2, g2, b2)
                    : Graph.sumTo(MatMul.matmul(a2.transpose(-1, -2), g2), b2.shape()).reshape(bs);
            return new Tensor[] {da, db};
        }, a, b);
    }

    /**
     * dB for a 2-D B, which every matrix of A (2-D, or batched as a linear layer on (batch, seq, features)) shares:
     * the sum over the batch of Aᵢᵀ·Gᵢ is one GEMM with the batch folded into k, (Σm × k)ᵀ·(Σm × n), instead of
     * a batch of products and a reduction over a (batch, k, n) temporary. When B is stored transposed (the
     * {@code weight.t()} of a linear layer) dB is computed in that layout, (Gᵀ·A)ᵀ, so that the gradient reaching
     * the weight through the transpose's backward is contiguous and is not copied element by element.
     */
    private static Tensor sharedRightGrad(Tensor a2, Tensor g2, Tensor b2) {
        int k = a2.size(-1);
        int n = g2.size(-1);
        Tensor a = a2.dim() == 2 ? a2 : a2.reshape(-1, k);
        Tensor g = g2.dim() == 2 ? g2 : g2.reshape(-1, n);
        int[] st = b2.stridesRef();
        boolean transposed = st[0] == 1 && st[1] != 1 && n > 1;
        return transposed ? MatMul.matmul(g.transpose(0, 1), a).transpose(0, 1)
                : MatMul.matmul(a.transpose(0, 1), g);
    }

    /** Shape of the product of two operands of rank ≥ 2, before any 1-D squeezing. */
    private static int[] fullShape(Tensor a, Tensor b) {
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        int[] batch = Shapes.broadcast("matmul", java.util.Arrays.copyOf(as, as.length - 2),
                java.util.Arrays.copyOf(bs, bs.length - 2));
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = as[as.length - 2];
        s[batch.length + 1] = bs[bs.length - 1];
        return s;
    }
}
