package dev.brisk.cli;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.MachinePeak;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.Backend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** What Brisk found on this machine: JDK, cores, threads, SIMD, backends, and the peak MFU is measured against. */
@Command(name = "info", description = "Show the JDK, cores, threads, SIMD width, backends and assumed FP32 peak.")
final class InfoCommand implements Callable<Integer> {

    @Mixin
    Main.RuntimeOptions runtime = new Main.RuntimeOptions();

    @Override
    public Integer call() {
        runtime.apply();
        Kernels k = Kernels.get();
        System.out.printf("Brisk 0.1.0%n");
        System.out.printf("JDK        %s (%s, %s)%n", Runtime.version(), System.getProperty("java.vm.name"),
                System.getProperty("java.home"));
        System.out.printf("OS / arch  %s %s / %s%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        System.out.printf("cores      %d (Runtime.availableProcessors)%n", Runtime.getRuntime().availableProcessors());
        System.out.printf("threads    %d intra-op (--threads / BRISK_THREADS; default = cores)%n", Parallel.threads());
        System.out.printf("heap max   %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("backends   (priority; BRISK_BACKEND or --backend overrides)%n");
        for (Backend b : Kernels.discovered()) {
            String state = b.unavailableReason().map(r -> "unavailable: " + r).orElse(b.description());
            System.out.printf("  %-10s %3d  %s%n", b.name(), b.priority(), state);
        }
        System.out.printf("chosen     %s%n", k.summary());
        MachinePeak peak = MachinePeak.detect();
        System.out.printf("FP32 peak  %s%n", peak.explain());
        System.out.printf("           clock: %s; lanes: SIMD float lanes of the cpu backend; FMA units: %s%n",
                peak.ghzSource(), peak.fmaSource());
        System.out.printf("           (MFU = model FLOP/s ÷ this peak; override with BRISK_PEAK_GFLOPS)%n");
        return 0;
    }

}
