package dev.brisk.dist.ddp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Ranks;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** Test support for DDP: groups whose ranks are threads of this JVM (shared memory or TCP), and bounded runs. */
final class DdpRanks {

    static final Duration TIMEOUT = Duration.ofSeconds(10); // below every run bound, so a failure surfaces

    enum Impl { THREAD, TCP }

    private DdpRanks() {
    }

    static List<ProcessGroup> groups(Impl impl, int p) {
        return Ranks.groups(Ranks.Impl.valueOf(impl.name()), p, TIMEOUT);
    }

    /** Runs {@code body(rank)} on {@code p} threads; each rank's result or the Throwable it threw. Bounded. */
    static List<Object> run(int p, Function<Integer, Object> body, int seconds) {
        return Ranks.run(p, body, seconds);
    }

    /** Fails with the first rank's Throwable, if any. */
    static List<Object> ok(List<Object> results) {
        AssertionError failed = null;
        for (int r = 0; r < results.size(); r++) {
            if (results.get(r) instanceof Throwable t) {
                if (failed == null) {
                    failed = new AssertionError("rank " + r + " failed: " + t, t);
                } else {
                    failed.addSuppressed(new AssertionError("rank " + r + " failed: " + t, t));
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        return results;
    }

    static void closeAll(List<ProcessGroup> groups) {
        run(groups.size(), r -> {
            groups.get(r).close();
            return null;
        }, 30);
    }
}
