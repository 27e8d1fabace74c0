package dev.brisk.tensor;

/** Differentiable matmul. */
final class LinalgGrad {

    private LinalgGrad() {
    }

    static Tensor matmul(Tensor a0, Tensor b0) {
        Tensor a = Autocast.forCompute(a0);
        Tensor b = Autocast.forCompute(b0);
        if (!Graph.needed(a, b)) {
            return MatMul.matmul(a, b);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = MatMul.matmul(a, b);
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
            Tensor db = b.requiresGrad() ? Graph.sumTo(MatMul.matmul(a2.transpose(-1, -2), g2), b2.shape()).reshape(bs)
                    : null;
            return new Tensor[] {da, db};
        }, a, b);
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
