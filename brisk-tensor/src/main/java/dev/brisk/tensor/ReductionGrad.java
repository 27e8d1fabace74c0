package dev.brisk.tensor;

import dev.brisk.tensor.backend.ReduceOp;
import java.util.Locale;

/** Differentiable reductions and softmax: forward next to backward. */
final class ReductionGrad {

    private ReductionGrad() {
    }

    /** The reduced gradient broadcast back over the input: re-insert reduced dims as size 1, then expand. */
    private static Tensor expandBack(Tensor g, int[] inShape, int[] dims, boolean keepDim) {
        Tensor k = keepDim ? g : g.reshape(ReductionOps.reducedShape(inShape, dims, true));
        return k.expand(inShape);
    }

    static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepDim) {
        if (!Graph.needed(x)) {
            return ReductionOps.reduce(op, x, dims, keepDim);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = ReductionOps.reduce(op, x, dims, keepDim);
        }
        int[] shape = x.shape();
        int[] d = x.dim() == 0 ? new int[0] : ReductionOps.normalize(op.name(), dims, x.dim());
        Node.Backward backward = switch (op) {
            // y = Σ x  =>  dx = g broadcast
            case SUM -> g -> new Tensor[] {shape.length == 0 ? g : expandBack(g, shape, d, keepDim)};
            // y = max x  =>  dx = g at the maxima, split evenly among ties
            case MAX, MIN -> g -> {
                if (x.dim() == 0) {
                    return new Tensor[] {g};
                }
                Tensor y = expandBack(out, shape, d, keepDim);
                Tensor hit = x.eq(y);
                Tensor count = ReductionOps.reduce(ReduceOp.SUM, Tensor.where(hit, Tensor.scalar(1f),
                        Tensor.scalar(0f)), d, true);
                Tensor share = expandBack(g, shape, d, keepDim).div(count.expand(shape));
                return new Tensor[] {Tensor.where(hit, share, Tensor.scalar(0f))};
            };
        };
        Tensor[] saved = op == ReduceOp.SUM ? new Tensor[0] : new Tensor[] {x, out};
        return Graph.recordSaving(out, op.name().toLowerCase(Locale.ROOT), backward, saved, x);
    }

    static Tensor softmax(Tensor x0, int dim, boolean log) {
        Tensor x = Autocast.forPrecision(x0);
        if (!Graph.needed(x)) {
            return ReductionOps.softmax(x, dim, log);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = ReductionOps.softmax(x, dim, log);
        }
        // softmax: dx = y ⊙ (g − Σ g⊙y); log-softmax: dx = g − exp(y)·Σ g  (one fused kernel per row)
        return Graph.recordSaving(out, log ? "logSoftmax" : "softmax",
                g -> new Tensor[] {softmaxBackward(out, g, dim, log)}, new Tensor[] {out}, x);
    }

    private static Tensor softmaxBackward(Tensor y, Tensor g, int dim, boolean log) {
        int d = Shapes.dim("softmax", dim, Math.max(y.dim(), 1));
        if (y.dim() == 0) {
            return log ? g.mul(0f) : g.mul(0f);
        }
        int last = y.dim() - 1;
        Tensor yt = (d == last ? y : y.transpose(d, last)).to(DType.F32).contiguous();
        Tensor gt = (d == last ? g : g.transpose(d, last)).to(DType.F32).contiguous();
        int cols = yt.shapeRef()[last];
        int rows = cols == 0 ? 0 : yt.numel() / cols;
        Tensor out = Tensor.zeros(yt.shapeRef());
        if (rows > 0) {
            Kernels.get().softmax().softmaxBackward(log, yt.storage().floats(), yt.offset(), gt.storage().floats(),
                    gt.offset(), rows, cols, out.storage().floats(), 0);
        }
        return d == last ? out : out.transpose(d, last).contiguous();
    }
}
