package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.DataDir;
import dev.brisk.data.format.Mnist;
import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Rendezvous;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code brisk bench soak}: the {@code mlp} workload trained by the real loop ({@link Trainer}, with metrics and a
 * checkpoint every {@code every} steps into a scratch run directory) for {@code steps} steps, sampling the live heap,
 * RSS, threads and open file descriptors every {@code every} steps ({@link ResourceSample}). After warm-up (the first
 * fifth of the samples, at least one) each series must be flat: threads and descriptors constant, heap and RSS
 * without sustained growth ({@link SoakVerdict}: fitted over the measured samples and over their second half, growth
 * below 8 MiB and 5% (heap) or 32 MiB and 5% (RSS) in either fit). Under {@code brisk launch}
 * the ranks train data-parallel and each reports its own process.
 */
final class SoakWorkload {

    private static final long HEAP_SLACK = 8L << 20, RSS_SLACK = 32L << 20;

    private SoakWorkload() {
    }

    static ObjectNode run(int steps, int every) {
        if (!Mnist.present(DataDir.resolve())) {
            throw new UsageException("the soak trains the mlp workload on Fashion-MNIST, which is missing: "
                    + DataDir.howToGetFashionMnist(DataDir.resolve()));
        }
        if (every < 1 || every > steps) {
            throw new UsageException("--every must be in [1, --steps], got " + every);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("brisk-soak-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TrainConfig config = RunDirs.load(null, List.of("model=mlp", "optim=sgd", "optim.lr=0.01",
                "optim.momentum=0.9", "data.batch_size=128", "data.augment=[]", "schedule=constant",
                "data.workers=2", "eval.every_epochs=null", "checkpoint.every_epochs=null",
                "checkpoint.every_steps=" + every, "checkpoint.keep=2", "steps=" + steps, "epochs=1000000",
                "report.every_steps=" + every));
        List<ResourceSample> samples = new ArrayList<>();
        // under brisk launch every rank trains its shard data-parallel and samples its own process; each writes
        // checkpoints into its own scratch directory (the trainer checkpoints whenever it is given a directory)
        DistEnv env = DistEnv.fromEnv();
        System.out.printf(Locale.ROOT, "soak  mlp on fashion-mnist  steps=%d  every=%d  threads=%d  rank %d of %d%n",
                steps, every, Parallel.threads(), env.rank(), env.worldSize());
        System.out.printf(Locale.ROOT, "%9s %14s %10s %8s %6s%n", "step", "live_heap", "rss", "threads", "fds");
        long t0 = System.nanoTime();
        try (ProcessGroup group = Rendezvous.join(env); TrainingRun run = new TrainingRun(config, false, group)) {
            Trainer trainer = new Trainer(run.model(), run.loss(), run.optimizer(), run.schedule(),
                    config.precision(), run.trainLoader(), null, run.plan(), dir, null, 0, 0, null,
                    run.gradientSync());
            trainer.addCallback(new TrainerCallback() {
                @Override
                public void afterStep(Trainer t, StepResult r) {
                    if (t.step() % every == 0) {
                        ResourceSample s = ResourceSample.take(t.step());
                        samples.add(s);
                        System.out.printf(Locale.ROOT, "%9d %11.1f MB %7.1f MB %8d %6d%n", s.step(),
                                s.heapAfterGcBytes() / 1e6, s.rssBytes() / 1e6, s.threads(), s.openFds());
                    }
                }
            });
            trainer.fit();
        } finally {
            try {
                AtomicFiles.deleteTree(dir);
            } catch (IOException e) {
                System.err.println("brisk: could not delete the scratch run " + dir + ": " + e.getMessage());
            }
        }
        return report(samples, (System.nanoTime() - t0) / 1e9);
    }

    static ObjectNode report(List<ResourceSample> samples, double seconds) {
        List<ResourceSample> measured = SoakVerdict.measured(samples);
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("data", "fashion-mnist");
        out.put("steps", samples.isEmpty() ? 0 : samples.getLast().step());
        out.put("seconds", Math.round(seconds * 10) / 10.0);
        out.put("warmup_samples", samples.size() - measured.size());
        SoakVerdict heap = SoakVerdict.judge(measured, ResourceSample::heapAfterGcBytes, HEAP_SLACK, 0.05);
        SoakVerdict rss = SoakVerdict.judge(measured, ResourceSample::rssBytes, RSS_SLACK, 0.05);
        double heapSlope = heap.slopePer1000(), rssSlope = rss.slopePer1000();
        int threadRange = range(measured, ResourceSample::threads);
        int fdRange = range(measured, ResourceSample::openFds);
        boolean heapFlat = heap.flat();
        boolean rssFlat = rss.flat();
        out.put("heap_slope_bytes_per_1000_steps", Math.round(heapSlope));
        out.put("rss_slope_bytes_per_1000_steps", Math.round(rssSlope));
        out.put("heap_late_slope_bytes_per_1000_steps", Math.round(heap.lateSlopePer1000()));
        out.put("rss_late_slope_bytes_per_1000_steps", Math.round(rss.lateSlopePer1000()));
        out.put("thread_range", threadRange);
        out.put("fd_range", fdRange);
        out.put("heap_flat", heapFlat);
        out.put("rss_flat", rssFlat);
        out.put("threads_flat", threadRange == 0);
        out.put("fds_flat", fdRange == 0);
        out.put("flat", heapFlat && rssFlat && threadRange == 0 && fdRange == 0);
        ArrayNode rows = out.putArray("samples");
        for (ResourceSample s : samples) {
            rows.addArray().add(s.step()).add(s.heapAfterGcBytes()).add(s.rssBytes()).add(s.threads())
                    .add(s.openFds());
        }
        System.out.printf(Locale.ROOT, "after warm-up (%d samples): heap %+.2f MB/1000 steps (second half %+.2f), RSS "
                        + "%+.2f MB/1000 steps (second half %+.2f), threads %s, fds %s -> %s%n", measured.size(),
                heapSlope / 1e6, heap.lateSlopePer1000() / 1e6, rssSlope / 1e6, rss.lateSlopePer1000() / 1e6,
                threadRange == 0 ? "constant" : "vary by " + threadRange, fdRange == 0 ? "constant" : "vary by "
                        + fdRange, out.get("flat").asBoolean() ? "FLAT" : "NOT FLAT");
        return out;
    }

    private static int range(List<ResourceSample> s, java.util.function.ToIntFunction<ResourceSample> f) {
        return s.stream().mapToInt(f).max().orElse(0) - s.stream().mapToInt(f).min().orElse(0);
    }
}
