package dev.brisk.optim;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.util.Locale;

/**
 * The training step's precision policy, the one place that decides what is cast where (systems.md §6):
 * <ul>
 *   <li>master weights, gradients and optimizer state are always F32;
 *   <li>matmul/conv operands are cast with {@link #castForCompute}: for {@link #BF16} and {@link #FP16} that is a
 *       16-bit copy, which autograd saves for backward, so saved GEMM/conv inputs take half the memory;
 *   <li>accumulation (GEMM accumulates in F32), softmax, norms, reductions, the loss and the optimizer stay in F32:
 *       pass their inputs through {@link #castToFp32};
 *   <li>{@link #FP16} needs dynamic loss scaling ({@link #newLossScaler()}); the others get a disabled scaler, so a
 *       trainer can call the same {@code scale / unscale / step / update} sequence for every policy.
 * </ul>
 * The casts are ordinary differentiable {@code Tensor.to} ops: the gradient of a 16-bit copy flows back to the F32
 * master as F32.
 */
public enum Precision {
    FP32(DType.F32),
    BF16(DType.BF16),
    FP16(DType.F16);

    private final DType computeType;

    Precision(DType computeType) {
        this.computeType = computeType;
    }

    /** {@code "fp32"}, {@code "bf16"} or {@code "fp16"} (case-insensitive; also "f32", "bfloat16", "float16"...). */
    public static Precision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "f32", "float32", "32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "fp16", "f16", "float16", "half", "16" -> FP16;
            default -> throw new IllegalArgumentException("unknown precision '" + s + "'; use fp32, bf16 or fp16");
        };
    }

    /** The dtype matmul/conv operands (and hence their saved activations) are stored in. */
    public DType computeType() {
        return computeType;
    }

    /** The 16-bit (or unchanged F32) copy of a matmul/conv operand; differentiable, rounding to nearest even. */
    public Tensor castForCompute(Tensor t) {
        return t.dtype() == computeType || !t.dtype().isFloatingPoint() ? t : t.to(computeType);
    }

    /** The F32 view of a 16-bit activation before a softmax, norm, reduction or loss; differentiable. */
    public Tensor castToFp32(Tensor t) {
        return t.to(DType.F32);
    }

    /** True for fp16, whose narrow range needs dynamic loss scaling. */
    public boolean needsLossScaling() {
        return this == FP16;
    }

    /** A dynamic scaler (initial scale 65536) for fp16, a disabled pass-through one otherwise. */
    public LossScaler newLossScaler() {
        return needsLossScaling() ? LossScaler.dynamic() : LossScaler.disabled();
    }

    /** Bytes of one saved matmul/conv operand of {@code numel} elements under this policy. */
    public long activationBytes(long numel) {
        return numel * computeType.byteSize();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
