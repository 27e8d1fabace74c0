package dev.brisk.monitor;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.monitor.profile.ProfileWindow;
import dev.brisk.monitor.profile.Profiler;
import dev.brisk.monitor.report.ReportCallback;
import dev.brisk.monitor.report.RunContext;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.Trainer;
import dev.brisk.train.config.TrainConfig;
import java.io.PrintStream;

/**
 * What {@code brisk train} attaches: to the rank that writes the run, the efficiency report and the profiler when
 * asked; to every rank of a data-parallel run, the per-rank timings gathered into rank 0's metrics.
 */
public final class RunMonitoring {

    private RunMonitoring() {
    }

    /**
     * @param worldSize      processes training together
     * @param flopsPerSample forward + backward FLOPs per sample (0 when unknown)
     * @param peakFlops      the machine's FP32 peak, FLOP/s
     * @param profile        the steps to profile, or null for no profile
     */
    public static void attach(Trainer trainer, TrainConfig config, int worldSize, double flopsPerSample,
                              double peakFlops, PrintStream console, ProfileWindow profile) {
        RunContext context = new RunContext(Parallel.threads(), config.data().batchSize(), config.accumulation(),
                config.data().workers(), worldSize, config.precision().name().toLowerCase(java.util.Locale.ROOT));
        if (profile != null) {
            trainer.addCallback(new Profiler(profile, null, console));
        }
        trainer.addCallback(new ReportCallback(context, flopsPerSample, peakFlops, console));
    }

    /**
     * Call on every rank of {@code group} (null or a single process: nothing): adds {@link RankTimings}, whose
     * gather at each metrics record is collective.
     */
    public static void attachToEveryRank(Trainer trainer, ProcessGroup group) {
        if (group != null && group.size() > 1) {
            trainer.addCallback(new RankTimings(group));
        }
    }
}
