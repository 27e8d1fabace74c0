package dev.brisk.blas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds a CBLAS library at run time.
 *
 * <p>{@code BRISK_BLAS_LIB} (or the system property {@code brisk.blas.lib}), when set, is the only place
 * looked at: a user who names a library wants that one, so a missing or unloadable file is reported, never
 * silently replaced. Otherwise the {@link #STANDARD_CANDIDATES} are tried in order: first the soname through
 * the dynamic loader ({@code LD_LIBRARY_PATH}, the ldconfig cache), then the places distributions install
 * OpenBLAS to. A candidate that is an absolute path is only handed to the loader when the file exists.
 */
final class BlasLocator {

    static final String ENV = "BRISK_BLAS_LIB";
    static final String PROPERTY = "brisk.blas.lib";

    static final String HOW_TO_GET = "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0-pthread; "
            + "Fedora: dnf install openblas-pthreads; macOS: brew install openblas) or set " + ENV
            + " to the path of a CBLAS library";

    /** Debian/Ubuntu (multiarch, with the pthread variant preferred), Fedora/RHEL, Arch, Homebrew. */
    static final List<String> STANDARD_CANDIDATES = List.of(
            "libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
            "/usr/lib64/libopenblasp.so.0",
            "/usr/lib64/libopenblas.so.0",
            "/usr/lib/libopenblas.so.0",
            "libopenblas.dylib",
            "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
            "/usr/local/opt/openblas/lib/libopenblas.dylib");

    /** The outcome of a search: a loaded library, or why there is none. */
    sealed interface Result {
        record Found(BlasLibrary library) implements Result {
        }

        record Unavailable(String reason) implements Result {
        }
    }

    private BlasLocator() {
    }

    /**
     * The file the dynamic loader picked for a bare soname such as {@code libopenblas.so.0}, from
     * {@code /proc/self/maps} (Linux); empty when unknown. For logs only.
     */
    static Optional<String> loadedFile(String soname) {
        Path maps = Path.of("/proc/self/maps");
        int dot = soname.indexOf('.');
        String stem = dot > 0 ? soname.substring(0, dot) : soname; // libopenblas.so.0 -> libopenblas
        if (soname.contains("/") || !Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(line -> line.substring(line.indexOf('/') < 0 ? line.length() : line.indexOf('/')))
                    .filter(path -> Path.of(path).getFileName() != null
                            && Path.of(path).getFileName().toString().startsWith(stem))
                    .findFirst();
        } catch (IOException | UncheckedIOException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Searches as configured by the environment. */
    static Result locate() {
        String explicit = System.getProperty(PROPERTY, System.getenv(ENV));
        return locate(explicit, STANDARD_CANDIDATES, BlasLibrary::load);
    }

    /**
     * The search itself, without the environment, for tests.
     *
     * @param explicit   the value of {@code BRISK_BLAS_LIB}, or null/blank when unset
     * @param candidates names or absolute paths tried in order when {@code explicit} is unset
     * @param loader     loads one candidate; throws {@link IllegalArgumentException} saying why it cannot
     */
    static Result locate(String explicit, List<String> candidates, Function<String, BlasLibrary> loader) {
        if (explicit != null && !explicit.isBlank()) {
            String path = explicit.strip();
            String prefix = ENV + "=" + path + ": ";
            if (!Files.isRegularFile(Path.of(path))) {
                return new Result.Unavailable(prefix + (Files.exists(Path.of(path)) ? "not a regular file"
                        : "no such file") + "; point it at a CBLAS library such as libopenblas.so.0 or unset it");
            }
            try {
                return new Result.Found(loader.apply(Path.of(path).toAbsolutePath().toString()));
            } catch (IllegalArgumentException e) {
                return new Result.Unavailable(prefix + e.getMessage());
            }
        }
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates) {
            boolean isPath = candidate.contains("/");
            if (isPath && !Files.isRegularFile(Path.of(candidate))) {
                tried.add(candidate + " (no such file)");
                continue;
            }
            try {
                return new Result.Found(loader.apply(candidate));
            } catch (IllegalArgumentException e) {
                tried.add(candidate + " (" + (isPath ? "" : "dynamic loader: ") + e.getMessage() + ")");
            }
        }
        return new Result.Unavailable("no OpenBLAS found; tried " + String.join(", ", tried) + ". To use the blas "
                + "backend, " + HOW_TO_GET);
    }
}
