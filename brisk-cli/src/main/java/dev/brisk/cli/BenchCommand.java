package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Parallel;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code brisk bench WORKLOAD}: the workloads of BENCHMARKS.md; with {@code --json} the last stdout line is JSON. */
@Command(name = "bench", description = "Run a benchmark workload (see docs/BENCHMARKS.md).")
final class BenchCommand implements Callable<Integer> {

    /** Every workload BENCHMARKS.md defines. */
    static final List<String> WORKLOADS = List.of("gemm", "mlp", "cnn", "transformer", "allreduce", "dataloader",
            "ddp", "pipeline", "ps", "accuracy", "soak");

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "one of: ${COMPLETION-CANDIDATES}",
            completionCandidates = WorkloadNames.class)
    String workload;

    @Mixin
    Main.RuntimeOptions runtime = new Main.RuntimeOptions();

    @Option(names = "--precision", paramLabel = "P", description = "fp32 | bf16 | fp16 (default fp32)")
    String precision = "fp32";

    @Option(names = "--steps", paramLabel = "N", description = "measured steps (default: as many as fit the time)")
    Integer steps;

    @Option(names = "--n", paramLabel = "N", description = "gemm: one square size instead of the standard set")
    Integer n;

    @Option(names = "--seconds", paramLabel = "S", description = "minimum measured time over the workload (default 5)")
    double seconds = 5;

    @Option(names = "--workers", paramLabel = "N", description = "dataloader: loader worker threads; ps: worker "
            + "threads (default 2)")
    int workers = 2;

    @Option(names = "--batch", paramLabel = "N", description = "training workloads: batch size (default per workload)")
    Integer batch;

    @Option(names = "--target", paramLabel = "A", description = "accuracy: test accuracy to reach (default 0.91)")
    double target = 0.91;

    @Option(names = "--max-epochs", paramLabel = "E", description = "accuracy: give up after E epochs (default 15)")
    int maxEpochs = 15;

    @Option(names = "--blocks", paramLabel = "N", description = "transformer: number of blocks (default 2; pipeline: 4)")
    Integer blocks;

    @Option(names = "--checkpoint", paramLabel = "P", description = "transformer: activation checkpointing none|blocks")
    String checkpoint = "none";

    @Option(names = "--nproc", paramLabel = "N", description = "allreduce: processes on loopback (default 2)")
    int nproc = 2;

    @Option(names = "--stages", paramLabel = "N", description = "pipeline: pipeline stages (default 2)")
    int stages = 2;

    @Option(names = "--micro-batches", paramLabel = "N", description = "pipeline: micro-batches per step (default 8)")
    int microBatches = 8;

    @Option(names = "--schedule", paramLabel = "S", description = "pipeline: 1f1b | gpipe (default 1f1b)")
    String schedule = "1f1b";

    @Option(names = "--servers", paramLabel = "N", description = "ps: parameter-server shards (default 1)")
    int servers = 1;

    @Option(names = "--staleness", paramLabel = "S", description = "ps: staleness bound (default 2)")
    int staleness = 2;

    @Option(names = "--transport", paramLabel = "T", description = "ps: thread | tcp (loopback) links (default thread)")
    String transport = "thread";

    @Option(names = "--zero", paramLabel = "S", description = "ddp: ZeRO stage of the 2-process run, 0|1|2 (default 0)")
    int zero = 0;

    @Option(names = "--compression", paramLabel = "C", description = "ddp: none|bf16|fp16|topk (default none)")
    String compression = "none";

    @Option(names = "--every", paramLabel = "K", description = "soak: sample resources every K steps (default 500)")
    int every = 500;

    @Option(names = "--json", description = "print one JSON object as the last line of stdout")
    boolean json;

    static final class WorkloadNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return WORKLOADS.iterator();
        }
    }

    @Override
    public Integer call() {
        String w = workload.toLowerCase(Locale.ROOT);
        if (!WORKLOADS.contains(w)) {
            throw new UsageException("unknown workload '" + workload + "'; expected one of " + WORKLOADS);
        }
        String p = precision.toLowerCase(Locale.ROOT);
        if (!List.of("fp32", "bf16", "fp16").contains(p)) {
            throw new UsageException("--precision must be fp32, bf16 or fp16, got '" + precision + "'");
        }
        if (steps != null && steps < 1) {
            throw new UsageException("--steps must be at least 1, got " + steps);
        }
        if (!(seconds > 0)) {
            throw new UsageException("--seconds must be positive, got " + seconds);
        }
        runtime.apply();
        ObjectNode result = switch (w) {
            case "gemm" -> new GemmWorkload(p, n, steps, seconds).run();
            case "dataloader" -> DataloaderWorkload.run(workers, seconds, steps);
            case "mlp", "cnn", "transformer" -> new TrainingWorkload(w, p, steps, seconds, batch, blocks, checkpoint)
                    .run();
            case "accuracy" -> AccuracyWorkload.run(target, maxEpochs, p);
            case "allreduce" -> allReduce();
            case "pipeline" -> PipelineWorkload.run(stages, microBatches, schedule, blocks == null ? 4 : blocks, batch,
                    steps);
            case "ps" -> PsWorkload.run(workers, servers, staleness, transport, batch, steps);
            case "ddp" -> new DdpWorkload(p, steps, seconds, zero, compression).run();
            case "soak" -> SoakWorkload.run(steps == null ? 20_000 : steps, Math.min(every, steps == null ? 20_000
                    : steps));
            default -> throw new UsageException("unknown workload '" + w + "'; expected one of " + WORKLOADS);
        };
        if (json) {
            ObjectNode head = new ObjectMapper().createObjectNode();
            head.put("workload", w);
            head.put("threads", Parallel.threads());
            head.put("precision", p);
            head.put("backend", Kernels.get().backend().name());
            head.setAll(result);
            System.out.println(head.toString());
        }
        return 0;
    }

    /** Ring all-reduce of 25M floats per rank across {@code --nproc} JVMs, next to a plain socket copy. */
    private ObjectNode allReduce() {
        if (nproc < 2 || nproc > 16) {
            throw new UsageException("--nproc must be between 2 and 16, got " + nproc);
        }
        try {
            int iters = steps == null ? 8 : steps;
            var r = dev.brisk.dist.AllReduceBenchmark.run(nproc, 25_000_000, iters, true);
            var tcp = dev.brisk.dist.AllReduceBenchmark.run(nproc, 25_000_000, iters, false);
            for (var x : List.of(r, tcp)) {
                System.out.printf(java.util.Locale.ROOT, "allreduce  nproc=%d  100 MB per rank over %s: busbw %.2f GB/s,"
                        + " algbw %.2f GB/s, single-stream socket copy %.2f GB/s (%.0f%%)%n", nproc, x.transport(),
                        x.busbwGBs(), x.algbwGBs(), x.socketGBs(), 100 * x.busbwOverSocket());
            }
            ObjectNode out = (ObjectNode) new ObjectMapper().readTree(r.toJson());
            out.put("tcp_busbw_gb_s", Math.round(tcp.busbwGBs() * 1000) / 1000.0);
            out.put("tcp_socket_gb_s", Math.round(tcp.socketGBs() * 1000) / 1000.0);
            out.put("tcp_busbw_over_socket", Math.round(tcp.busbwOverSocket() * 1000) / 1000.0);
            out.put("data", "synthetic");
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
