package dev.brisk.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One loaded CBLAS library (OpenBLAS) and the downcall handles Brisk uses from it.
 *
 * <p>The library stays loaded for the life of the process ({@link Arena#global()}): a backend is chosen once
 * and native code is never unloaded under running kernels.
 *
 * <p>The GEMM handles are linked with {@code Linker.Option.critical(true)}: that lets them take heap segments
 * ({@code MemorySegment.ofArray(float[])}) directly, with no copy and the cheapest transition (~7 ns). The
 * price is that the GC cannot move those arrays during the call, so it waits for the call to finish.
 *
 * @param location       what was loaded: an absolute path, or a bare name resolved by the dynamic loader
 * @param sgemm          {@code void cblas_sgemm(order, transA, transB, M, N, K, float alpha, const float *A,
 *                       lda, const float *B, ldb, float beta, float *C, ldc)}
 * @param sbgemm         {@code cblas_sbgemm}: same, with {@code const bfloat16 *A, *B} (uint16 bit patterns)
 *                       and fp32 {@code alpha, beta, C}; null when the library was built without bfloat16
 * @param setNumThreads  {@code void openblas_set_num_threads(int)}; null if not OpenBLAS
 * @param config         {@code openblas_get_config()} plus the core name, or "" if not OpenBLAS
 */
record BlasLibrary(String location, MethodHandle sgemm, MethodHandle sbgemm, MethodHandle setNumThreads,
                   String config) {

    /** CBLAS enum values (cblas.h). */
    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;

    private static final FunctionDescriptor GEMM = FunctionDescriptor.ofVoid(
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT);

    /**
     * Loads {@code location} (an absolute path, or a bare soname for the dynamic loader) and links the
     * handles. Throws {@link IllegalArgumentException} with the reason when it cannot be loaded or is not a
     * usable CBLAS.
     */
    static BlasLibrary load(String location) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(location, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            // The message of dlopen's failure is not exposed; IllegalCallerException means no native access.
            throw new IllegalArgumentException(e instanceof IllegalCallerException
                    ? "native access is disabled (run java with --enable-native-access=ALL-UNNAMED)"
                    : "could not be loaded as a shared library", e);
        }
        Linker linker = Linker.nativeLinker();
        MemorySegment sgemmAddr = lookup.find("cblas_sgemm").orElseThrow(() -> new IllegalArgumentException(
                "does not export cblas_sgemm; is it a CBLAS library such as OpenBLAS?"));
        MethodHandle sgemm = linker.downcallHandle(sgemmAddr, GEMM, Linker.Option.critical(true));
        MethodHandle sbgemm = lookup.find("cblas_sbgemm")
                .map(addr -> linker.downcallHandle(addr, GEMM, Linker.Option.critical(true)))
                .orElse(null);
        MethodHandle setThreads = lookup.find("openblas_set_num_threads")
                .map(addr -> linker.downcallHandle(addr, FunctionDescriptor.ofVoid(JAVA_INT)))
                .orElse(null);
        String config = cString(linker, lookup, "openblas_get_config").orElse("");
        String core = cString(linker, lookup, "openblas_get_corename").orElse("");
        if (config.contains("USE64BITINT")) {
            // Its blasint is 64-bit; passing Java ints would leave garbage in the upper halves.
            throw new IllegalArgumentException("is an ILP64 build (" + config.strip() + "); Brisk calls the "
                    + "32-bit-integer interface: use libopenblas.so.0, not libopenblas64");
        }
        String described = (config.strip() + (core.isBlank() ? "" : ", core " + core.strip())).strip();
        return new BlasLibrary(location, sgemm, sbgemm, setThreads, described);
    }

    /** Calls a {@code const char *f(void)} export, if present. */
    private static Optional<String> cString(Linker linker, SymbolLookup lookup, String function) {
        return lookup.find(function).map(addr -> {
            MethodHandle h = linker.downcallHandle(addr, FunctionDescriptor.of(ADDRESS));
            try {
                MemorySegment s = (MemorySegment) h.invokeExact();
                return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(4096).getString(0);
            } catch (Throwable t) {
                return "";
            }
        });
    }

    /** Sets OpenBLAS's own thread count; a no-op for other CBLAS libraries. */
    void setThreads(int threads) {
        if (setNumThreads == null) {
            return;
        }
        try {
            setNumThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads(" + threads + ") failed", t);
        }
    }
}
