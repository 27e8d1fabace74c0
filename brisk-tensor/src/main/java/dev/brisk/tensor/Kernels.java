package dev.brisk.tensor;

import dev.brisk.tensor.backend.Backend;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.backend.NormKernels;
import dev.brisk.tensor.backend.OptimizerKernels;
import dev.brisk.tensor.backend.PoolKernels;
import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.backend.SoftmaxKernels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The kernels every tensor op runs on: one {@link Backend} chosen at start-up, with each kernel family it
 * lacks taken from the next best available backend (ending at {@code reference}).
 *
 * <p>The choice is {@code BRISK_BACKEND} (or the system property {@code brisk.backend}) when set, else the
 * available backend with the highest priority. Asking for a backend that is missing or unavailable is an error,
 * never a silent fallback. The choice is logged once, at the first use.
 */
public final class Kernels {

    private static volatile Kernels active;

    private final Backend backend;
    private final GemmKernels gemm;
    private final ElementwiseKernels elementwise;
    private final ReductionKernels reductions;
    private final SoftmaxKernels softmax;
    private final PoolKernels pooling;
    private final NormKernels norms;
    private final OptimizerKernels optimizers;
    private final String summary;

    private Kernels(Backend backend, List<Backend> fallbacks) {
        this.backend = backend;
        StringBuilder s = new StringBuilder(backend.name());
        List<String> parts = new ArrayList<>();
        this.gemm = pick(backend, fallbacks, Backend::gemm, "gemm", parts);
        this.elementwise = pick(backend, fallbacks, Backend::elementwise, "elementwise", parts);
        this.reductions = pick(backend, fallbacks, Backend::reductions, "reductions", parts);
        this.softmax = pick(backend, fallbacks, Backend::softmax, "softmax", parts);
        this.pooling = pick(backend, fallbacks, Backend::pooling, "pooling", parts);
        this.norms = pick(backend, fallbacks, Backend::norms, "norms", parts);
        this.optimizers = pick(backend, fallbacks, Backend::optimizers, "optimizers", parts);
        s.append(" (").append(String.join(", ", parts)).append(')');
        this.summary = s.toString();
    }

    private static <T> T pick(Backend first, List<Backend> fallbacks, Function<Backend, Optional<T>> family,
                              String familyName, List<String> parts) {
        Optional<T> own = family.apply(first);
        if (own.isPresent()) {
            parts.add(familyName + ": " + first.name());
            return own.get();
        }
        for (Backend b : fallbacks) {
            Optional<T> k = family.apply(b);
            if (k.isPresent()) {
                parts.add(familyName + ": " + b.name());
                return k.get();
            }
        }
        throw new IllegalStateException("no backend provides " + familyName + " kernels (is brisk-tensor's "
                + "reference backend on the class path?)");
    }

    /** The active kernels, chosen on first use. */
    public static Kernels get() {
        Kernels k = active;
        if (k == null) {
            synchronized (Kernels.class) {
                k = active;
                if (k == null) {
                    String requested = System.getProperty("brisk.backend", System.getenv("BRISK_BACKEND"));
                    k = select(requested == null || requested.isBlank() ? null : requested.trim());
                    System.getLogger("dev.brisk").log(System.Logger.Level.INFO, "backend " + k.summary);
                    active = k;
                }
            }
        }
        return k;
    }

    /** Switches every later op to the named backend (e.g. for {@code --backend}); throws if it is unavailable. */
    public static synchronized Kernels use(String name) {
        Kernels k = select(name);
        active = k;
        return k;
    }

    /** Every backend on the class path, best first, available or not. */
    public static List<Backend> discovered() {
        List<Backend> all = new ArrayList<>();
        ServiceLoader.load(Backend.class, Kernels.class.getClassLoader()).forEach(all::add);
        all.sort(Comparator.comparingInt(Backend::priority).reversed());
        return all;
    }

    private static Kernels select(String requested) {
        List<Backend> all = discovered();
        List<Backend> usable = all.stream().filter(b -> b.unavailableReason().isEmpty()).toList();
        if (requested == null) {
            if (usable.isEmpty()) {
                throw new IllegalStateException("no usable backend found; the reference backend should always be");
            }
            return new Kernels(usable.getFirst(), usable);
        }
        String want = requested.toLowerCase(Locale.ROOT);
        for (Backend b : all) {
            if (b.name().equals(want)) {
                Optional<String> why = b.unavailableReason();
                if (why.isPresent()) {
                    throw new IllegalStateException("backend '" + want + "' was requested but is unavailable: "
                            + why.get());
                }
                return new Kernels(b, usable);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + requested + "'; found: "
                + all.stream().map(Backend::name).toList());
    }

    public Backend backend() {
        return backend;
    }

    /** E.g. {@code "blas (gemm: blas, elementwise: cpu, reductions: cpu, softmax: cpu)"}. */
    public String summary() {
        return summary;
    }

    public GemmKernels gemm() {
        return gemm;
    }

    public ElementwiseKernels elementwise() {
        return elementwise;
    }

    public ReductionKernels reductions() {
        return reductions;
    }

    public SoftmaxKernels softmax() {
        return softmax;
    }

    public PoolKernels pooling() {
        return pooling;
    }

    public NormKernels norms() {
        return norms;
    }

    public OptimizerKernels optimizers() {
        return optimizers;
    }
}
