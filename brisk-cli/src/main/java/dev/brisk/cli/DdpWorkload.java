package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.Batch;
import dev.brisk.dist.DistEnv;
import dev.brisk.dist.LocalRanks;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Rendezvous;
import dev.brisk.dist.ddp.GradientSync;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.StepResult;
import dev.brisk.train.TrainStep;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The {@code ddp} workload of BENCHMARKS.md: the {@code cnn} workload at global batch 64 trained two ways on the
 * same cores, 1 process × 2 threads (batch 64, intra-op parallelism) and 2 processes × 1 thread (batch 32 each,
 * DDP over loopback TCP: {@code brisk train}'s code path), plus 1 process × 1 thread as the linear-scaling base.
 * {@code scaling_efficiency} = DDP samples/s ÷ (1 × 2 threads) samples/s, as the workload defines it;
 * {@code linear_efficiency} = DDP samples/s ÷ (2 × one thread's). The DDP step time is broken down with
 * {@code comm_ms} (the wait for gradients after backward: exposed communication), {@code comm_total_ms} (first
 * bucket started to last one done) and {@code comm_hidden_fraction} (how much of it overlapped backward).
 */
final class DdpWorkload {

    private static final String RESULT = "BRISK_DDP_RESULT ";
    private static final int GLOBAL_BATCH = 64;

    private final String precision;
    private final Integer steps;
    private final double seconds;
    private final int zero;
    private final String compression;

    DdpWorkload(String precision, Integer steps, double seconds, int zero, String compression) {
        if (zero < 0 || zero > 2) {
            throw new UsageException("--zero must be 0, 1 or 2, got " + zero);
        }
        if (!List.of("none", "bf16", "fp16", "topk").contains(compression)) {
            throw new UsageException("--compression must be none, bf16, fp16 or topk, got '" + compression + "'");
        }
        if (zero > 0 && !compression.equals("none")) {
            throw new UsageException("--compression works with --zero 0 only");
        }
        this.compression = compression;
        this.precision = precision;
        this.steps = steps;
        this.seconds = seconds;
        this.zero = zero;
    }

    ObjectNode run() {
        int threadsBefore = Parallel.threads();
        ObjectNode one;
        ObjectNode two;
        try {
            Parallel.setThreads(1);
            System.out.println("-- 1 process × 1 thread, batch " + GLOBAL_BATCH);
            one = new TrainingWorkload("cnn", precision, steps, seconds, GLOBAL_BATCH, null, "none").run();
            Parallel.setThreads(2);
            System.out.println("-- 1 process × 2 threads, batch " + GLOBAL_BATCH);
            two = new TrainingWorkload("cnn", precision, steps, seconds, GLOBAL_BATCH, null, "none").run();
        } finally {
            Parallel.setThreads(threadsBefore);
        }
        System.out.println("-- 2 processes × 1 thread, batch " + GLOBAL_BATCH / 2 + " each (DDP"
                + (zero > 0 ? ", ZeRO-" + zero : "") + (compression.equals("none") ? "" : ", " + compression) + ")");
        ObjectNode ddp = spawn();
        double ddpRate = ddp.get("samples_per_s").asDouble();
        double twoRate = two.get("samples_per_s").asDouble();
        double oneRate = one.get("samples_per_s").asDouble();
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("data", two.get("data").asText());
        out.put("global_batch", GLOBAL_BATCH);
        out.put("zero", zero);
        out.put("compression", compression);
        out.put("scaling_efficiency", round3(ddpRate / twoRate));
        out.put("linear_efficiency", round3(ddpRate / (2 * oneRate)));
        out.put("samples_per_s_2proc_1thread", ddpRate);
        out.put("samples_per_s_1proc_2threads", twoRate);
        out.put("samples_per_s_1proc_1thread", oneRate);
        out.put("step_ms_1proc_2threads", two.get("step_ms").asDouble());
        out.setAll(ddp);
        out.remove("samples_per_s");
        System.out.printf(Locale.ROOT, "ddp: 2×1 %.1f samples/s vs 1×2 %.1f (scaling efficiency %.3f), 1×1 %.1f "
                        + "(linear efficiency %.3f); DDP step %.2f ms: comm waited %.2f ms of %.2f ms (%.0f%% hidden "
                        + "behind backward)%n", ddpRate, twoRate, ddpRate / twoRate, oneRate, ddpRate / (2 * oneRate),
                ddp.get("step_ms").asDouble(), ddp.get("comm_ms").asDouble(), ddp.get("comm_total_ms").asDouble(),
                100 * ddp.get("comm_hidden_fraction").asDouble());
        return out;
    }

    /** Starts the two ranks (this JVM's java, class path and -Xmx), waits (bounded), returns rank 0's numbers. */
    private ObjectNode spawn() {
        List<String> heap = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).toList();
        try {
            String line = LocalRanks.run(2, heap, DdpWorkload.class, List.of(precision, Double.toString(seconds),
                    steps == null ? "0" : steps.toString(), Integer.toString(zero), compression), Map.of(), "bench-ddp",
                    RESULT, System.out);
            return (ObjectNode) new ObjectMapper().readTree(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One rank: {@code PRECISION SECONDS STEPS ZERO COMPRESSION} (STEPS 0: as many as fit SECONDS, decided together). */
    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "brisk: %5$s%6$s%n");
        String precision = args[0];
        double seconds = Double.parseDouble(args[1]);
        int fixedSteps = Integer.parseInt(args[2]);
        int zero = Integer.parseInt(args[3]);
        Parallel.setThreads(1);
        try (ProcessGroup g = Rendezvous.join(DistEnv.fromEnv())) {
            List<String> sets = new ArrayList<>(new TrainingWorkload("cnn", precision, null, seconds,
                    GLOBAL_BATCH / g.size(), null, "none").overrides(null));
            sets.add("dist.zero=" + zero);
            sets.add("dist.compression=" + args[4]);
            TrainConfig config = RunDirs.load(null, sets);
            try (TrainingRun run = new TrainingRun(config, false, g)) {
                GradientSync sync = run.gradientSync();
                TrainStep step = new TrainStep(run.model(), run.loss(), run.optimizer(), null, config.precision(),
                        sync);
                run.optimizer().setLr(config.optim().lr());
                Iterator<Batch>[] it = new Iterator[] {run.trainLoader().epoch(0).iterator()};
                int[] epoch = {0};
                java.util.function.Supplier<StepResult> one = () -> {
                    long a = System.nanoTime();
                    if (!it[0].hasNext()) {
                        it[0] = run.trainLoader().epoch(++epoch[0]).iterator();
                    }
                    Batch b = it[0].next();
                    return step.run(List.of(b), (System.nanoTime() - a) / 1e6);
                };
                // warm-up: 3 s or 5 steps, whichever is longer, decided together (collectives must match)
                long warmEnd = System.nanoTime() + 3_000_000_000L;
                for (int i = 0; i < 5 || !sync.anyRank(System.nanoTime() >= warmEnd); i++) {
                    one.get();
                }
                List<StepResult> results = new ArrayList<>();
                long end = System.nanoTime() + (long) (seconds * 1e9);
                while (fixedSteps > 0 ? results.size() < fixedSteps
                        : results.size() < 10 || !sync.anyRank(System.nanoTime() >= end)) {
                    results.add(one.get());
                }
                if (g.rank() == 0) {
                    System.out.println(RESULT + report(results, run).toString());
                }
            }
            g.barrier();
        }
        System.exit(0);
    }

    private static ObjectNode report(List<StepResult> r, TrainingRun run) {
        double stepMs = median(r, StepResult::stepMs);
        double comm = median(r, StepResult::commMs);
        double total = median(r, StepResult::commTotalMs);
        double hidden = r.stream().mapToDouble(s -> Math.max(0, s.commTotalMs() - s.commMs())).sum()
                / Math.max(1e-9, r.stream().mapToDouble(StepResult::commTotalMs).sum());
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("samples_per_s", Math.round(GLOBAL_BATCH / (stepMs / 1e3) * 10) / 10.0);
        o.put("step_ms", round3(stepMs));
        o.put("data_ms", round3(median(r, StepResult::dataMs)));
        o.put("fwd_ms", round3(median(r, StepResult::fwdMs)));
        o.put("bwd_ms", round3(median(r, StepResult::bwdMs)));
        o.put("comm_ms", round3(comm));
        o.put("comm_total_ms", round3(total));
        o.put("comm_hidden_fraction", round3(Math.min(1, hidden)));
        o.put("opt_ms", round3(median(r, StepResult::optMs)));
        o.put("overhead_ms", round3(median(r, StepResult::overheadMs)));
        o.put("gradient_bytes", 4L * run.model().numParameters());
        o.put("steps_measured", r.size());
        if (run.zeroMemory() != null) {
            o.put("zero_optimizer_state_bytes_per_rank", run.zeroMemory().optimizerStateBytes());
            o.put("zero_gradient_bytes_per_rank", run.zeroMemory().gradientBytes());
        }
        return o;
    }

    private static double median(List<StepResult> r, ToDoubleFunction<StepResult> f) {
        double[] v = r.stream().mapToDouble(f).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
