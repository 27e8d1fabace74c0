package dev.brisk.tensor.conformance;

/** The reference against itself: must pass trivially, and keeps the harness itself compiling and running. */
class ReferenceConformanceTest extends BackendConformance {

    @Override
    protected String backendName() {
        return "reference";
    }
}
