package dev.brisk.tensor.backend;

import java.util.Optional;

/**
 * A provider of compute kernels, found through {@link java.util.ServiceLoader}.
 *
 * <p>A backend implements any subset of the kernel families; {@link Kernels} takes each family from the
 * chosen backend when it has one and from the next best available backend otherwise, ending at the scalar
 * {@code reference} backend, which implements them all. So an optional native backend that only offers
 * GEMM (like {@code blas}) still gets fast elementwise kernels from {@code cpu}.
 */
public interface Backend {

    /** Short lower-case name used by {@code BRISK_BACKEND} and in logs, e.g. {@code "cpu"}. */
    String name();

    /** Higher wins when no backend is requested explicitly. The reference backend is 0. */
    int priority();

    /** Empty when usable on this machine; otherwise why not (e.g. "libopenblas.so.0 not found"). */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /** One line for {@code brisk info}: what this backend runs on (SIMD width, library path...). */
    default String description() {
        return name();
    }

    /**
     * One core's FP32 FLOP/s measured by running FMAs for a moment (about half a second), or empty when this
     * backend cannot measure it. Used for the peak that MFU is measured against.
     */
    default java.util.OptionalDouble measuredPeakGflopsPerCore() {
        return java.util.OptionalDouble.empty();
    }

    /** Float lanes of one FMA instruction on this backend (16 with AVX-512); 1 for scalar code. */
    default int floatLanes() {
        return 1;
    }

    default Optional<GemmKernels> gemm() {
        return Optional.empty();
    }

    default Optional<ElementwiseKernels> elementwise() {
        return Optional.empty();
    }

    default Optional<ReductionKernels> reductions() {
        return Optional.empty();
    }

    default Optional<SoftmaxKernels> softmax() {
        return Optional.empty();
    }

    default Optional<PoolKernels> pooling() {
        return Optional.empty();
    }

    default Optional<NormKernels> norms() {
        return Optional.empty();
    }

    default Optional<OptimizerKernels> optimizers() {
        return Optional.empty();
    }
}
