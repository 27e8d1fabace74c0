package dev.brisk.cpu;

import dev.brisk.tensor.conformance.BackendConformance;

/** The Vector API backend against the scalar reference, op by op (see {@link BackendConformance}). */
class CpuConformanceTest extends BackendConformance {

    @Override
    protected String backendName() {
        return "cpu";
    }
}
