package dev.brisk.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a long run could leak, measured at one step: live heap right after a full GC (garbage excluded), resident
 * set size ({@code VmRSS} of /proc/self/status: heap, native buffers, thread stacks, code), live threads and open
 * file descriptors (/proc/self/fd). RSS and fds read -1 where /proc is absent.
 */
record ResourceSample(long step, long heapAfterGcBytes, long rssBytes, int threads, int openFds) {

    static ResourceSample take(long step) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new ResourceSample(step, heap, rss(), ManagementFactory.getThreadMXBean().getThreadCount(), fds());
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    private static int fds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // minus the descriptor of this listing
        } catch (IOException e) {
            return -1;
        }
    }

    /** Least-squares slope of {@code value} per 1,000 steps over {@code samples}. */
    static double slopePer1000(List<ResourceSample> samples, java.util.function.ToDoubleFunction<ResourceSample> value) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double mx = 0, my = 0;
        for (ResourceSample s : samples) {
            mx += s.step();
            my += value.applyAsDouble(s);
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0;
        for (ResourceSample s : samples) {
            sxy += (s.step() - mx) * (value.applyAsDouble(s) - my);
            sxx += (s.step() - mx) * (s.step() - mx);
        }
        return sxx == 0 ? 0 : 1000 * sxy / sxx;
    }
}
