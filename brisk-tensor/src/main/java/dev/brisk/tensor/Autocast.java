package dev.brisk.tensor;

/**
 * Mixed-precision autocast, per thread, as PyTorch's {@code torch.autocast}: inside a scope opened with
 * {@link #enable(DType)} (BF16 or F16), matmul and convolution cast their F32 activation operands to the 16-bit
 * type and return 16-bit results (accumulating in F32 and rounding once), so the activations that flow on — and
 * that autograd saves for backward — take half the memory; weights stay F32 ({@link #forCompute}). Softmax,
 * log-softmax and normalisation take F32 inputs and return F32, so numerically sensitive steps keep full precision. Elementwise ops follow their inputs' dtype.
 * Outside a scope nothing is cast. Backward runs outside the scope: gradients are F32.
 */
public final class Autocast {

    private static final ThreadLocal<DType[]> TYPE = ThreadLocal.withInitial(() -> new DType[1]);

    private Autocast() {
    }

    /** Opens a scope computing matmul/conv in {@code type} (F32 turns autocast off inside the scope). */
    public static GradMode.Scope enable(DType type) {
        if (type != DType.F32 && type != DType.BF16 && type != DType.F16) {
            throw new IllegalArgumentException("autocast type must be F32, BF16 or F16, got " + type);
        }
        DType[] cell = TYPE.get();
        DType previous = cell[0];
        cell[0] = type == DType.F32 ? null : type;
        return new GradMode.Scope(() -> cell[0] = previous);
    }

    /** The active 16-bit compute type, or null when autocast is off. */
    public static DType active() {
        return TYPE.get()[0];
    }

    /**
     * {@code t} in the autocast compute type when autocast is on and {@code t} is a float activation; else
     * {@code t}. Weights (trainable leaves and views of them, such as a linear layer's {@code weight.t()}) stay F32:
     * the model holds them anyway, so a 16-bit copy would add memory rather than save it, and the GEMMs read an F32
     * weight next to a 16-bit activation directly, converting while packing.
     */
    public static Tensor forCompute(Tensor t) {
        DType a = active();
        return a == null || !t.dtype().isFloatingPoint() || t.dtype() == a || isWeight(t) ? t : t.to(a);
    }

    /** A trainable leaf, or a view of one (sharing its storage, one op away). */
    static boolean isWeight(Tensor t) {
        if (t.isLeaf()) {
            return t.requiresGrad();
        }
        Node n = t.gradFn();
        if (n == null || n.arity() != 1) {
            return false;
        }
        Tensor leaf = n.leaf(0);
        return leaf != null && leaf.storage() == t.storage();
    }

    /** {@code t} widened to F32 when autocast is on (for softmax, norms and losses); else {@code t}. */
    public static Tensor forPrecision(Tensor t) {
        return active() == null || t.dtype() == DType.F32 || !t.dtype().isFloatingPoint() ? t : t.to(DType.F32);
    }
}
