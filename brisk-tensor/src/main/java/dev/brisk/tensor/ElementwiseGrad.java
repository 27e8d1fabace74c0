package dev.brisk.tensor;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.UnaryOp;
import java.util.Locale;

/** The differentiable elementwise ops: each forward next to its backward rule. Backward runs with grad off. */
final class ElementwiseGrad {

    private ElementwiseGrad() {
    }

    static Tensor unary(UnaryOp op, Tensor x) {
        if (!Graph.needed(x)) {
            return ElementwiseOps.unary(op, x);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = ElementwiseOps.unary(op, x);
        }
        // y = op(x)  =>  dx = g · op'(x), one fused kernel pass
        return Graph.record(out, op.name().toLowerCase(Locale.ROOT), g -> new Tensor[] {unaryGrad(op, x, g)}, x);
    }

    /** g · op'(x) elementwise (same shapes), in F32. */
    static Tensor unaryGrad(UnaryOp op, Tensor x, Tensor g) {
        if (x.dtype() == DType.BF16 && (g.dtype() == DType.F32 || g.dtype() == DType.BF16)) {
            return Bf16Elementwise.unaryGrad(op, x, g);
        }
        Tensor xc = x.to(DType.F32).contiguous();
        Tensor gc = g.to(DType.F32).contiguous();
        Tensor out = Tensor.zeros(x.shapeRef());
        Kernels.get().elementwise().unaryGrad(op, xc.storage().floats(), xc.offset(), gc.storage().floats(),
                gc.offset(), out.storage().floats(), 0, out.numel());
        return out;
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        if (!Graph.needed(a, b)) {
            return ElementwiseOps.binary(op, a, b);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = ElementwiseOps.binary(op, a, b);
        }
        int[] as = a.shape();
        int[] bs = b.shape();
        boolean ga = a.requiresGrad();
        boolean gb = b.requiresGrad();
        Tensor none = null;
        // each rule captures only what it saves, so unneeded inputs are freed after the forward
        Node.Backward backward;
        Tensor[] saved;
        switch (op) {
            // y = a + b  =>  da = g, db = g (summed back over broadcast dims)
            case ADD -> {
                backward = g -> new Tensor[] {Graph.sumTo(g, as), Graph.sumTo(g, bs)};
                saved = new Tensor[0];
            }
            // y = a - b  =>  da = g, db = -g
            case SUB -> {
                backward = g -> new Tensor[] {Graph.sumTo(g, as), gb ? Graph.sumTo(g.neg(), bs) : null};
                saved = new Tensor[0];
            }
            // y = a·b  =>  da = g·b, db = g·a
            case MUL -> {
                Tensor sa = gb ? a : none;
                Tensor sb = ga ? b : none;
                backward = g -> new Tensor[] {ga ? Graph.sumTo(g.mul(sb), as) : null,
                    gb ? Graph.sumTo(g.mul(sa), bs) : null};
                saved = new Tensor[] {sa, sb};
            }
            // y = a/b  =>  da = g/b, db = -g·a/b² = -g·y/b
            case DIV -> {
                Tensor sy = gb ? out : none;
                backward = g -> new Tensor[] {ga ? Graph.sumTo(g.div(b), as) : null,
                    gb ? Graph.sumTo(g.mul(sy).div(b).neg(), bs) : null};
                saved = new Tensor[] {b, sy};
            }
            // y = a^b  =>  da = g·b·a^(b-1), db = g·y·ln a
            case POW -> {
                backward = g -> new Tensor[] {ga ? Graph.sumTo(g.mul(b).mul(a.pow(b.sub(1f))), as) : null,
                    gb ? Graph.sumTo(g.mul(out).mul(a.log()), bs) : null};
                saved = new Tensor[] {a, b, out};
            }
            // y = max(a, b)  =>  g goes to the larger input; ties split it evenly (as torch.maximum)
            default -> {
                backward = g -> {
                    Tensor aWins = op == BinaryOp.MAX ? a.gt(b) : a.lt(b);
                    Tensor tie = a.eq(b);
                    Tensor zero = Tensor.scalar(0f);
                    Tensor half = g.mul(0.5f);
                    Tensor gA = Tensor.where(aWins, g, Tensor.where(tie, half, zero));
                    Tensor gB = Tensor.where(aWins, zero, Tensor.where(tie, half, g));
                    return new Tensor[] {Graph.sumTo(gA, as), Graph.sumTo(gB, bs)};
                };
                saved = new Tensor[] {a, b};
            }
        }
        return Graph.recordSaving(out, op.name().toLowerCase(Locale.ROOT), backward, saved, a, b);
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (!Graph.needed(a, b)) {
            return ElementwiseOps.where(cond, a, b);
        }
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = ElementwiseOps.where(cond, a, b);
        }
        int[] as = a.shape();
        int[] bs = b.shape();
        // y = cond ? a : b  =>  da = cond ? g : 0, db = cond ? 0 : g
        return Graph.recordSaving(out, "where", g -> {
            Tensor zero = Tensor.scalar(0f);
            return new Tensor[] {null, Graph.sumTo(Tensor.where(cond, g, zero), as),
                Graph.sumTo(Tensor.where(cond, zero, g), bs)};
        }, new Tensor[] {cond}, cond, a, b);
    }
}
