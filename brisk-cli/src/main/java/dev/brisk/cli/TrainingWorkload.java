package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.Batch;
import dev.brisk.data.DataDir;
import dev.brisk.data.format.Mnist;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.MachinePeak;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.StepResult;
import dev.brisk.train.TrainStep;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The {@code mlp}, {@code cnn} and {@code transformer} workloads of BENCHMARKS.md: the fixed model, optimizer and
 * batch trained with the same {@link TrainStep} as {@code brisk train}, on Fashion-MNIST (or synthetic data when
 * absent — the JSON says which). After warm-up, steps are timed one by one; throughput is the batch over the median
 * step time (data wait included), MFU is that rate's FLOPs over the machine peak.
 */
final class TrainingWorkload {

    private final String name;
    private final String precision;
    private final Integer steps;
    private final double seconds;
    private final Integer batch;
    private final Integer blocks;
    private final String checkpoint;

    TrainingWorkload(String name, String precision, Integer steps, double seconds, Integer batch, Integer blocks,
                     String checkpoint) {
        if (!name.equals("transformer") && (blocks != null || !"none".equals(checkpoint))) {
            throw new UsageException("--blocks and --checkpoint apply to the transformer workload only");
        }
        if (!List.of("none", "blocks").contains(checkpoint)) {
            throw new UsageException("--checkpoint must be none or blocks, got '" + checkpoint + "'");
        }
        this.blocks = blocks;
        this.checkpoint = checkpoint;
        this.name = name;
        this.precision = precision;
        this.steps = steps;
        this.seconds = seconds;
        this.batch = batch;
    }

    /** The BENCHMARKS.md definition of each workload, as config overrides. */
    List<String> overrides(Path text) {
        List<String> s = new ArrayList<>();
        switch (name) {
            case "mlp" -> s.addAll(List.of("model=mlp", "optim=sgd", "optim.lr=0.01", "optim.momentum=0.9",
                    "data.batch_size=128"));
            case "cnn" -> s.addAll(List.of("model=cnn", "optim=adam", "optim.lr=0.001", "data.batch_size=64"));
            case "transformer" -> s.addAll(List.of("model=transformer", "optim=adamw", "optim.lr=0.0003",
                    "optim.betas=[0.9, 0.95]", "optim.weight_decay=0.1", "data=text", "data.files=[" + text + "]",
                    "data.seq_len=64", "data.batch_size=32"));
            default -> throw new IllegalArgumentException(name);
        }
        if (!name.equals("transformer")) {
            s.add("data.augment=[]");
        }
        s.addAll(List.of("schedule=constant", "precision=" + precision, "data.workers=1", "eval.every_epochs=null",
                "checkpoint.every_epochs=null"));
        if (batch != null) {
            s.add("data.batch_size=" + batch);
        }
        if (blocks != null) {
            s.add("model.blocks=" + blocks);
        }
        if (name.equals("transformer")) {
            s.add("memory.checkpoint=" + checkpoint);
        }
        return s;
    }

    ObjectNode run() {
        boolean real = !name.equals("transformer") && Mnist.present(DataDir.resolve());
        if (!real && !name.equals("transformer")) {
            throw new UsageException("the " + name + " workload trains on Fashion-MNIST, which is missing: "
                    + DataDir.howToGetFashionMnist(DataDir.resolve()));
        }
        Path text = name.equals("transformer") ? syntheticText() : null;
        TrainConfig config = RunDirs.load(null, overrides(text));
        try (TrainingRun run = new TrainingRun(config, false)) {
            TrainStep step = new TrainStep(run.model(), run.loss(), run.optimizer(), null, config.precision());
            run.optimizer().setLr(config.optim().lr());
            MachinePeak peak = MachinePeak.detect();
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
            System.out.printf(Locale.ROOT, "%s  data=%s  batch=%d  precision=%s  threads=%d  backend=%s%n", name,
                    real ? "fashion-mnist" : "synthetic", config.data().batchSize(), precision, Parallel.threads(),
                    Kernels.get().backend().name());
            long warmEnd = System.nanoTime() + 3_000_000_000L;
            for (int i = 0; i < 5 || System.nanoTime() < warmEnd; i++) {
                one.get();
            }
            resetHeapPeaks();
            List<StepResult> results = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (steps != null ? results.size() < steps : (results.size() < 10 || System.nanoTime() < end)) {
                results.add(one.get());
            }
            double stepMs = median(results, StepResult::stepMs);
            int bs = config.data().batchSize();
            double samplesPerS = bs / (stepMs / 1e3);
            double mfu = run.trainFlopsPerSample() * samplesPerS / (peak.gflops() * 1e9);
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("data", real ? "fashion-mnist" : "synthetic");
            out.put("batch", bs);
            out.put("samples_per_s", Math.round(samplesPerS * 10) / 10.0);
            if (name.equals("transformer")) {
                out.put("tokens_per_s", Math.round(samplesPerS * config.data().seqLen()));
                out.put("output", "untied");
                out.put("blocks", config.model().transformer().blocks());
                out.put("checkpoint", checkpoint);
            }
            out.put("step_ms", round3(stepMs));
            out.put("data_ms", round3(median(results, StepResult::dataMs)));
            out.put("fwd_ms", round3(median(results, StepResult::fwdMs)));
            out.put("bwd_ms", round3(median(results, StepResult::bwdMs)));
            out.put("opt_ms", round3(median(results, StepResult::optMs)));
            out.put("overhead_ms", round3(median(results, StepResult::overheadMs)));
            out.put("mfu", Math.round(mfu * 10000) / 10000.0);
            out.put("train_flops_per_sample", run.trainFlopsPerSample());
            out.put("peak_gflops", Math.round(peak.gflops() * 10) / 10.0);
            out.put("activation_bytes", step.peakActivationBytes());
            out.put("heap_peak_bytes", heapPeakBytes());
            out.put("steps_measured", results.size());
            System.out.printf(Locale.ROOT, "%d steps: %.2f ms/step (data %.2f, fwd %.2f, bwd %.2f, opt %.2f) -> "
                            + "%,.0f samples/s, MFU %.3f, activations %,d bytes%n", results.size(), stepMs,
                    out.get("data_ms").asDouble(), out.get("fwd_ms").asDouble(), out.get("bwd_ms").asDouble(),
                    out.get("opt_ms").asDouble(), samplesPerS, mfu, step.peakActivationBytes());
            return out;
        }
    }

    /** 2 MB of random bytes: the byte-level LM's throughput does not depend on the text. */
    private static Path syntheticText() {
        try {
            Path f = Files.createTempFile("brisk-bench-text", ".txt");
            f.toFile().deleteOnExit();
            byte[] b = new byte[2 << 20];
            new java.util.Random(1).nextBytes(b);
            Files.write(f, b);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double median(List<StepResult> r, java.util.function.ToDoubleFunction<StepResult> f) {
        double[] v = r.stream().mapToDouble(f).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
