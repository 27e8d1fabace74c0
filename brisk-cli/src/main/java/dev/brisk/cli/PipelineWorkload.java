package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.ThreadGroup;
import dev.brisk.dist.pipeline.PipelineSchedule;
import dev.brisk.dist.pipeline.PipelineStage;
import dev.brisk.dist.pipeline.StagePartition;
import dev.brisk.dist.pipeline.StepReport;
import dev.brisk.nn.Embedding;
import dev.brisk.nn.LayerNorm;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.nn.loss.Losses;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Optimizer;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@code pipeline} workload of BENCHMARKS.md: the {@code transformer} byte LM (vocab 256, d_model 128, 4 heads,
 * sequence 64, batch 32, AdamW 3e-4, untied head) with {@code --blocks} blocks (default 4), as a Sequential of
 * embedding, blocks and head cut into {@code --stages} stages balanced by measured per-layer cost, one stage per
 * thread of a {@link ThreadGroup}, {@code --micro-batches} micro-batches with the {@code --schedule} schedule.
 * Synthetic tokens. Reports tokens/s and the measured bubble (idle share of each stage's schedule time, mean over
 * stages, median over steps) next to {@code (p−1)/(m+p−1)}.
 */
final class PipelineWorkload {

    private static final int VOCAB = 256;
    private static final int D_MODEL = 128;
    private static final int HEADS = 4;
    private static final int SEQ = 64;

    private PipelineWorkload() {
    }

    /** Token and learned position embeddings: (B, T) I64 → (B, T, C). */
    static final class Embed extends Module {
        private final Embedding tok;
        private final Embedding pos;

        Embed(Rng rng) {
            this.tok = registerModule("tok_emb", new Embedding(VOCAB, D_MODEL, rng));
            this.pos = registerModule("pos_emb", new Embedding(SEQ, D_MODEL, rng));
        }

        @Override
        public Tensor forward(Tensor tokens) {
            return tok.forward(tokens).add(pos.forward(Tensor.arange(DType.I64, 0, tokens.size(1), 1)));
        }
    }

    /** Final LayerNorm and output projection: (B, T, C) → (B, T, vocab). */
    static final class Head extends Module {
        private final LayerNorm ln;
        private final Linear out;

        Head(Rng rng) {
            this.ln = registerModule("ln_f", new LayerNorm(D_MODEL));
            this.out = registerModule("head", new Linear(D_MODEL, VOCAB, false, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return out.forward(ln.forward(x));
        }
    }

    static ObjectNode run(int stages, int microBatches, String scheduleName, int blocks, Integer batchOpt,
                          Integer stepsOpt) {
        PipelineSchedule schedule;
        try {
            schedule = PipelineSchedule.parse(scheduleName);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--schedule: " + e.getMessage());
        }
        int batch = batchOpt == null ? 32 : batchOpt;
        int steps = stepsOpt == null ? 5 : stepsOpt;
        if (blocks < 1 || stages < 1 || stages > blocks + 2) {
            throw new UsageException("--stages must be between 1 and blocks + 2 = " + (blocks + 2) + ", got " + stages);
        }
        if (microBatches < 1 || batch % microBatches != 0) {
            throw new UsageException("--micro-batches must divide the batch " + batch + ", got " + microBatches);
        }
        Rng rng = new Rng(0);
        List<Module> layers = new ArrayList<>();
        layers.add(new Embed(rng));
        for (int i = 0; i < blocks; i++) {
            layers.add(new TransformerBlock(D_MODEL, HEADS, true, rng));
        }
        layers.add(new Head(rng));
        Sequential model = new Sequential(layers);
        Tensor[] data = tokens(new Rng(1), batch);
        double[] costs = StagePartition.measureCosts(model, data[0].narrow(0, 0, batch / microBatches).contiguous(), 3);
        StagePartition part = StagePartition.balanced(costs, stages);

        List<ThreadGroup> groups = ThreadGroup.create(stages, Duration.ofSeconds(300));
        List<List<StepReport>> reports = new ArrayList<>();
        long[] wall = new long[1];
        ExecutorService pool = Executors.newFixedThreadPool(stages);
        try {
            List<Future<List<StepReport>>> fs = new ArrayList<>();
            for (int s = 0; s < stages; s++) {
                int stage = s;
                fs.add(pool.submit(() -> runStage(groups.get(stage), part.stage(model, stage), schedule,
                        microBatches, data, steps, stage == 0 ? wall : null)));
            }
            for (Future<List<StepReport>> f : fs) {
                reports.add(f.get(30, TimeUnit.MINUTES));
            }
        } catch (Exception e) {
            throw new IllegalStateException("pipeline benchmark failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }

        double seconds = wall[0] / 1e9;
        double tokensPerS = (double) steps * batch * SEQ / seconds;
        double[] bubbles = new double[steps];
        for (int i = 0; i < steps; i++) {
            double sum = 0;
            for (List<StepReport> r : reports) {
                sum += r.get(i).bubble();
            }
            bubbles[i] = sum / stages;
        }
        Arrays.sort(bubbles);
        double bubble = bubbles[steps / 2];
        double ideal = PipelineSchedule.idealBubble(stages, microBatches);

        ObjectMapper om = new ObjectMapper();
        ObjectNode out = om.createObjectNode();
        out.put("data", "synthetic");
        out.put("stages", stages);
        out.put("micro_batches", microBatches);
        out.put("schedule", schedule == PipelineSchedule.GPIPE ? "gpipe" : "1f1b");
        out.put("blocks", blocks);
        out.put("batch", batch);
        out.put("seq_len", SEQ);
        out.put("steps", steps);
        out.put("tokens_per_s", Math.round(tokensPerS));
        out.put("step_ms", Math.round(seconds / steps * 1e4) / 10.0);
        out.put("bubble_fraction", round3(bubble));
        out.put("bubble_formula", round3(ideal));
        ArrayNode starts = out.putArray("stage_starts");
        for (int s : part.starts()) {
            starts.add(s);
        }
        ArrayNode perStage = out.putArray("per_stage");
        for (List<StepReport> r : reports) {
            StepReport last = r.get(steps - 1);
            double busy = r.stream().mapToDouble(StepReport::busySeconds).average().orElse(0);
            double sched = r.stream().mapToDouble(StepReport::scheduleSeconds).average().orElse(0);
            ObjectNode st = perStage.addObject();
            st.put("stage", last.stage());
            st.put("busy_ms", Math.round(busy * 1e4) / 10.0);
            st.put("schedule_ms", Math.round(sched * 1e4) / 10.0);
            st.put("bubble", round3(sched == 0 ? 0 : 1 - busy / sched));
            st.put("peak_in_flight_micro_batches", last.peakInFlight());
            st.put("peak_activation_bytes", last.peakActivationBytes());
        }
        System.out.printf(Locale.ROOT, "pipeline  %d stages (layers from %s)  %d micro-batches  %s  batch %d×%d: "
                        + "%.0f tokens/s, %.1f ms/step, bubble %.3f measured vs %.3f formula%n", stages,
                Arrays.toString(part.starts()), microBatches, out.get("schedule").asText(), batch, SEQ, tokensPerS,
                seconds / steps * 1e3, bubble, ideal);
        for (var st : perStage) {
            System.out.printf(Locale.ROOT, "  stage %d: busy %.1f of %.1f ms schedule (mean per step), bubble %.3f, "
                            + "peak %d micro-batches in flight, %.1f MiB activations%n", st.get("stage").asInt(),
                    st.get("busy_ms").asDouble(), st.get("schedule_ms").asDouble(), st.get("bubble").asDouble(),
                    st.get("peak_in_flight_micro_batches").asInt(),
                    st.get("peak_activation_bytes").asLong() / 1048576.0);
        }
        return out;
    }

    private static List<StepReport> runStage(ProcessGroup group, Sequential stage, PipelineSchedule schedule,
                                             int microBatches, Tensor[] data, int steps, long[] wall) {
        try (group) {
            PipelineStage ps = new PipelineStage(group, stage, schedule, microBatches,
                    (logits, y) -> Losses.crossEntropy(logits.reshape(-1, VOCAB), y.reshape(-1)));
            Optimizer opt = Optimizer.of(Adam.adamW(0.9, 0.95), 3e-4, stage.namedParameters(), 0.1);
            boolean first = ps.isFirst();
            boolean last = ps.isLast();
            // one warm-up step (JIT, allocation), not measured
            ps.step(first ? data[0] : null, last ? data[1] : null, 1f, opt::step);
            group.barrier();
            long t0 = System.nanoTime();
            List<StepReport> out = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                out.add(ps.step(first ? data[0] : null, last ? data[1] : null, 1f, opt::step));
            }
            group.barrier();
            if (wall != null) {
                wall[0] = System.nanoTime() - t0;
            }
            return out;
        }
    }

    /** Random byte tokens and their next-token targets, (B, T) I64 each. */
    private static Tensor[] tokens(Rng rng, int batch) {
        long[] seq = new long[batch * (SEQ + 1)];
        for (int i = 0; i < seq.length; i++) {
            seq[i] = rng.nextInt(VOCAB);
        }
        long[] x = new long[batch * SEQ];
        long[] y = new long[batch * SEQ];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(seq, b * (SEQ + 1), x, b * SEQ, SEQ);
            System.arraycopy(seq, b * (SEQ + 1) + 1, y, b * SEQ, SEQ);
        }
        return new Tensor[] {Tensor.ofLongs(x, batch, SEQ), Tensor.ofLongs(y, batch, SEQ)};
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
