package dev.brisk.train;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import java.util.Collection;

/** Global gradient norm over parameters: √Σ‖g‖², accumulated in double by the optimizer kernels. */
final class GradNorms {

    private GradNorms() {
    }

    static double global(Collection<Tensor> params) {
        var k = Kernels.get().optimizers();
        double ss = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                Tensor c = g.contiguous();
                ss += k.sumOfSquares(c.storage().floats(), c.offset(), c.numel());
            }
        }
        return Math.sqrt(ss);
    }

    /** Scales every gradient by {@code maxNorm / norm} when the norm exceeds it (non-finite norms are left alone). */
    static void clip(Collection<Tensor> params, double norm, double maxNorm) {
        if (!(norm > maxNorm) || Double.isInfinite(norm)) {
            return;
        }
        float scale = (float) (maxNorm / (norm + 1e-6));
        var k = Kernels.get().elementwise();
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                float[] a = g.storage().floats();
                k.binary(dev.brisk.tensor.backend.BinaryOp.MUL, a, g.offset(), 1, new float[] {scale}, 0, 0, a,
                        g.offset(), g.numel());
            }
        }
    }
}
