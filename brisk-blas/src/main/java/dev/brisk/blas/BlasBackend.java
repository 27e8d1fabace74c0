package dev.brisk.blas;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.Backend;
import dev.brisk.tensor.backend.GemmKernels;
import java.util.Optional;

/**
 * GEMM from a native OpenBLAS, found at run time and called through the FFM API (no JNI, no native build).
 * Opt-in: its priority (50) is below {@code cpu}'s, so it runs only when asked for with
 * {@code BRISK_BACKEND=blas}; every other kernel family then comes from {@code cpu}.
 *
 * <p>Creating this class, as the {@link java.util.ServiceLoader} scan does, touches nothing native. The
 * library is searched for and loaded ({@code dlopen}, symbol lookups) once, at the first call of
 * {@link #unavailableReason()}, {@link #description()} or {@link #gemm()}; see {@link BlasLocator} for where.
 */
public final class BlasBackend implements Backend {

    @Override
    public String name() {
        return "blas";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Holder.RESULT instanceof BlasLocator.Result.Unavailable(String reason)
                ? Optional.of(reason) : Optional.empty();
    }

    @Override
    public String description() {
        if (!(Holder.RESULT instanceof BlasLocator.Result.Found(BlasLibrary lib))) {
            return "unavailable: " + unavailableReason().orElseThrow();
        }
        String config = lib.config().isBlank() ? "" : " (" + lib.config() + ")";
        String bf16 = Holder.GEMM.nativeBf16() ? "cblas_sbgemm" : "widened to fp32";
        String file = BlasLocator.loadedFile(lib.location()).map(f -> " = " + f).orElse("");
        return "cblas_sgemm from " + lib.location() + file + config + ", bf16 " + bf16 + ", " + Parallel.threads()
                + " threads";
    }

    @Override
    public Optional<GemmKernels> gemm() {
        return Holder.RESULT instanceof BlasLocator.Result.Found ? Optional.of(Holder.GEMM) : Optional.empty();
    }

    /** Located and loaded on first use, at most once per process. */
    private static final class Holder {
        static final BlasLocator.Result RESULT = BlasLocator.locate();
        static final BlasGemm GEMM = RESULT instanceof BlasLocator.Result.Found(BlasLibrary lib)
                ? new BlasGemm(lib, true) : null;
    }
}
