package dev.brisk.cpu;

import dev.brisk.cpu.gemm.CpuGemm;
import dev.brisk.cpu.norm.VectorNorms;
import dev.brisk.cpu.ops.VectorElementwise;
import dev.brisk.cpu.ops.VectorReductions;
import dev.brisk.cpu.ops.VectorSoftmax;
import dev.brisk.cpu.optim.VectorOptimizers;
import dev.brisk.cpu.pool.VectorPooling;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.Backend;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.backend.NormKernels;
import dev.brisk.tensor.backend.OptimizerKernels;
import dev.brisk.tensor.backend.PoolKernels;
import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.backend.SoftmaxKernels;
import java.util.Optional;

/** Pure-Java kernels on the Vector API, multi-threaded on the shared intra-op pool. The default backend. */
public final class CpuBackend implements Backend {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Simd.unavailableReason();
    }

    @Override
    public String description() {
        return "Vector API, " + Simd.describe() + ", " + Parallel.threads() + " threads";
    }

    @Override
    public java.util.OptionalDouble measuredPeakGflopsPerCore() {
        return java.util.OptionalDouble.of(FmaProbe.gflopsPerCore());
    }

    @Override
    public int floatLanes() {
        return Simd.F.length();
    }

    @Override
    public Optional<GemmKernels> gemm() {
        return Optional.of(Holder.GEMM);
    }

    @Override
    public Optional<ElementwiseKernels> elementwise() {
        return Optional.of(Holder.ELEMENTWISE);
    }

    @Override
    public Optional<ReductionKernels> reductions() {
        return Optional.of(Holder.REDUCTIONS);
    }

    @Override
    public Optional<SoftmaxKernels> softmax() {
        return Optional.of(Holder.SOFTMAX);
    }

    @Override
    public Optional<PoolKernels> pooling() {
        return Optional.of(Holder.POOLING);
    }

    @Override
    public Optional<NormKernels> norms() {
        return Optional.of(Holder.NORMS);
    }

    @Override
    public Optional<OptimizerKernels> optimizers() {
        return Optional.of(Holder.OPTIMIZERS);
    }

    /** Created on first use, so listing backends never touches the Vector API. */
    private static final class Holder {
        static final GemmKernels GEMM = new CpuGemm();
        static final ElementwiseKernels ELEMENTWISE = new VectorElementwise();
        static final ReductionKernels REDUCTIONS = new VectorReductions();
        static final SoftmaxKernels SOFTMAX = new VectorSoftmax();
        static final NormKernels NORMS = new VectorNorms();
        static final PoolKernels POOLING = new VectorPooling();
        static final OptimizerKernels OPTIMIZERS = new VectorOptimizers();
    }
}
