package dev.brisk.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.brisk.tensor.backend.Backend;
import java.util.Locale;

/**
 * The FP32 peak that MFU is measured against: {@code cores × clock × SIMD lanes × 2 (FMA = 2 FLOPs) × FMA units},
 * with where each number came from. {@code BRISK_PEAK_GFLOPS} overrides the whole product when the guess is wrong
 * (a VM may hide turbo clocks, or a core may have one FMA unit).
 */
public record MachinePeak(int cores, double ghz, String ghzSource, int lanes, int fmaUnits, String fmaSource,
                          double gflops, String gflopsSource) {

    /** Two FMA pipes per core is right for every x86-64 core with AVX2/AVX-512 Brisk targets and for Neoverse. */
    static final int DEFAULT_FMA_UNITS = 2;

    /**
     * The peak for the active kernels: the formula with the SIMD width of the best available backend and, when that
     * backend can measure one core's FMA rate, the larger of the formula and the measurement × cores (a VM often
     * reports a nominal clock well below the one its cores run at; under load the measurement reads low).
     */
    public static MachinePeak detect() {
        Backend best = Kernels.get().backend();
        if (best.floatLanes() <= 1) {
            best = Kernels.discovered().stream().filter(b -> b.unavailableReason().isEmpty())
                    .max(java.util.Comparator.comparingInt(Backend::floatLanes)).orElse(best);
        }
        MachinePeak nominal = detect(Math.max(1, best.floatLanes()));
        java.util.OptionalDouble perCore = best.measuredPeakGflopsPerCore();
        if (nominal.gflopsSource().equals("BRISK_PEAK_GFLOPS") || perCore.isEmpty()) {
            return nominal;
        }
        double measured = perCore.getAsDouble() * nominal.cores();
        if (measured <= nominal.gflops()) {
            return nominal;
        }
        double ghz = perCore.getAsDouble() / (nominal.lanes() * 2.0 * nominal.fmaUnits());
        return new MachinePeak(nominal.cores(), ghz, "measured: " + String.format(Locale.ROOT, "%.1f", perCore
                .getAsDouble()) + " GFLOP/s of FMAs on one core (" + nominal.ghzSource() + " said "
                + String.format(Locale.ROOT, "%.2f GHz", nominal.ghz()) + ")", nominal.lanes(), nominal.fmaUnits(),
                nominal.fmaSource(), measured, "cores × measured FMA rate per core");
    }

    public static MachinePeak detect(int lanes) {
        int cores = Runtime.getRuntime().availableProcessors();
        double ghz = 0;
        String ghzSource;
        Double max = readMaxFreqGhz();
        if (max != null) {
            ghz = max;
            ghzSource = "cpufreq cpuinfo_max_freq";
        } else {
            Double mhz = readCpuinfoMhz();
            if (mhz != null) {
                ghz = mhz;
                ghzSource = "/proc/cpuinfo 'cpu MHz' (nominal; turbo may be higher)";
            } else {
                ghz = 2.5;
                ghzSource = "unknown clock; assumed 2.5 GHz";
            }
        }
        double computed = cores * ghz * lanes * 2.0 * DEFAULT_FMA_UNITS;
        String override = System.getenv("BRISK_PEAK_GFLOPS");
        if (override != null && !override.isBlank()) {
            try {
                double v = Double.parseDouble(override.trim());
                if (v > 0) {
                    return new MachinePeak(cores, ghz, ghzSource, lanes, DEFAULT_FMA_UNITS, "assumed",
                            v, "BRISK_PEAK_GFLOPS");
                }
            } catch (NumberFormatException ignored) {
                // fall through: a bad override is reported by the formula's source text
            }
        }
        return new MachinePeak(cores, ghz, ghzSource, lanes, DEFAULT_FMA_UNITS,
                "assumed (2 FMA pipes per core)", computed, "cores × GHz × lanes × 2 × FMA units");
    }

    /** E.g. "2 cores × 2.10 GHz × 16 lanes × 2 × 2 FMA units = 268.3 GFLOP/s". */
    public String explain() {
        if (gflopsSource.equals("BRISK_PEAK_GFLOPS")) {
            return String.format(Locale.ROOT, "%.1f GFLOP/s (from BRISK_PEAK_GFLOPS)", gflops);
        }
        return String.format(Locale.ROOT, "%d cores × %.2f GHz × %d lanes × 2 × %d FMA units = %.1f GFLOP/s",
                cores, ghz, lanes, fmaUnits, gflops);
    }

    private static Double readMaxFreqGhz() {
        try {
            Path p = Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
            if (Files.isReadable(p)) {
                return Double.parseDouble(Files.readString(p).trim()) / 1e6;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not available in many VMs
        }
        return null;
    }

    private static Double readCpuinfoMhz() {
        try {
            Path p = Path.of("/proc/cpuinfo");
            if (!Files.isReadable(p)) {
                return null;
            }
            List<String> lines = Files.readAllLines(p);
            for (String l : lines) {
                if (l.startsWith("cpu MHz")) {
                    return Double.parseDouble(l.substring(l.indexOf(':') + 1).trim()) / 1000;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall back to the assumed clock
        }
        return null;
    }
}
