package dev.brisk.blas;

import dev.brisk.tensor.conformance.BackendConformance;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** The shared cross-backend suite under {@code blas} (gemm from OpenBLAS, the rest from the fallbacks). */
class BlasConformanceTest extends BackendConformance {

    @Override
    protected String backendName() {
        return "blas";
    }

    @BeforeEach
    void requireLibrary() {
        Assumptions.assumeTrue(new BlasBackend().unavailableReason().isEmpty(),
                () -> "no OpenBLAS: " + new BlasBackend().unavailableReason().orElse(""));
    }
}
