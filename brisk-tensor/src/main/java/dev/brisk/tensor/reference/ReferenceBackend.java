package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.Backend;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.backend.NormKernels;
import dev.brisk.tensor.backend.OptimizerKernels;
import dev.brisk.tensor.backend.PoolKernels;
import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.backend.SoftmaxKernels;
import java.util.Optional;

/**
 * Plain scalar Java, obviously correct and kept forever as the oracle that every fast kernel is tested
 * against. It implements every kernel family, so it is also the last fallback.
 */
public final class ReferenceBackend implements Backend {

    private static final ReferenceGemm GEMM = new ReferenceGemm();
    private static final ReferenceElementwise ELEMENTWISE = new ReferenceElementwise();
    private static final ReferenceReductions REDUCTIONS = new ReferenceReductions();
    private static final ReferenceSoftmax SOFTMAX = new ReferenceSoftmax();
    private static final ReferencePooling POOLING = new ReferencePooling();
    private static final ReferenceNorms NORMS = new ReferenceNorms();
    private static final ReferenceOptimizers OPTIMIZERS = new ReferenceOptimizers();

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String description() {
        return "scalar Java, single-threaded (the oracle)";
    }

    @Override
    public Optional<GemmKernels> gemm() {
        return Optional.of(GEMM);
    }

    @Override
    public Optional<ElementwiseKernels> elementwise() {
        return Optional.of(ELEMENTWISE);
    }

    @Override
    public Optional<ReductionKernels> reductions() {
        return Optional.of(REDUCTIONS);
    }

    @Override
    public Optional<SoftmaxKernels> softmax() {
        return Optional.of(SOFTMAX);
    }

    @Override
    public Optional<PoolKernels> pooling() {
        return Optional.of(POOLING);
    }

    @Override
    public Optional<NormKernels> norms() {
        return Optional.of(NORMS);
    }

    @Override
    public Optional<OptimizerKernels> optimizers() {
        return Optional.of(OPTIMIZERS);
    }
}
