package dev.brisk.monitor.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Rules that turn an {@link Efficiency} into advice. Each rule fires on one measured symptom and is weighted by
 * the share of time (or, for memory, the risk) it is about, so the first suggestions are the ones worth most; the
 * report shows the top three.
 */
public final class Suggestions {

    /** One piece of advice; {@code weight} orders them (larger first). */
    public record Suggestion(String rule, double weight, String text) {
    }

    /** A data stall above this share of the step is worth fixing. */
    static final double DATA_STALL = 0.05;
    /** Exposed communication above this share of the step. */
    static final double COMM_EXPOSED = 0.10;
    /** The optimizer above this share of the step. */
    static final double OPTIMIZER = 0.15;
    /** Loop overhead above this share of the step. */
    static final double OVERHEAD = 0.10;
    /** Wall time outside the steps (evaluation, checkpoints) above this share. */
    static final double OUTSIDE = 0.15;
    /** Below this MFU, small GEMMs are suspected when each thread gets few samples. */
    static final double LOW_MFU = 0.25;
    /** Fewer samples per thread than this make GEMMs too thin to keep every core busy. */
    static final int SAMPLES_PER_THREAD = 16;
    /** The heap's peak above this share of its limit. */
    static final double HEAP_PRESSURE = 0.85;

    private Suggestions() {
    }

    /** Every rule that fires, heaviest first. */
    public static List<Suggestion> all(Efficiency e, RunContext c) {
        List<Suggestion> out = new ArrayList<>();
        if (e.dataFraction() >= DATA_STALL) {
            String fix = c.workers() == 0 ? "set data.workers: 2 (batches are built on the training thread now)"
                    : "raise data.workers (now " + c.workers() + ")";
            out.add(new Suggestion("data_stall", e.dataFraction(),
                    "data stall " + pct(e.dataFraction()) + " of the step: " + fix));
        }
        if (e.commExposedFraction() >= COMM_EXPOSED) {
            out.add(new Suggestion("comm_exposed", e.commExposedFraction(), "communication exposed "
                    + pct(e.commExposedFraction()) + " of the step (" + pct(e.commHiddenFraction())
                    + " of it hidden behind backward): raise accumulation (now " + c.accumulation()
                    + ") or data.batch_size so each all-reduce is amortised over more compute"));
        }
        double perThread = (double) c.batchSize() / Math.max(1, c.threads());
        if (e.mfu() > 0 && e.mfu() < LOW_MFU && perThread < SAMPLES_PER_THREAD) {
            int target = Math.min(65536, Integer.highestOneBit(Math.max(1, c.threads() * SAMPLES_PER_THREAD)) * 2);
            double compute = e.fwdFraction() + e.bwdFraction();
            out.add(new Suggestion("small_gemm", compute * (1 - e.mfu() / LOW_MFU), "MFU " + pct(e.mfu())
                    + " with " + c.batchSize() + " samples on " + c.threads() + " threads: GEMM shapes too small for"
                    + " the core count; raise data.batch_size (e.g. " + target + ", with a proportionally higher lr)"));
        }
        if (e.optFraction() >= OPTIMIZER) {
            out.add(new Suggestion("optimizer", e.optFraction(), "optimizer update " + pct(e.optFraction())
                    + " of the step: raise data.batch_size or accumulation (now " + c.accumulation()
                    + ") so each update serves more samples"));
        }
        if (e.otherFraction() >= OVERHEAD) {
            out.add(new Suggestion("overhead", e.otherFraction(), "loop overhead " + pct(e.otherFraction())
                    + " of the step (logging, callbacks, bookkeeping): raise report.every_steps"));
        }
        if (e.outsideStepsFraction() >= OUTSIDE) {
            out.add(new Suggestion("outside_steps", e.outsideStepsFraction(), "evaluation and checkpoints take "
                    + pct(e.outsideStepsFraction()) + " of the wall time: evaluate and checkpoint less often"
                    + " (eval.every_epochs / eval.every_steps, checkpoint.every_epochs)"));
        }
        Efficiency.Memory m = e.memory();
        if (m.heapMax() > 0 && m.heapPeak() >= HEAP_PRESSURE * m.heapMax()) {
            double share = (double) m.heapPeak() / m.heapMax();
            out.add(new Suggestion("heap_pressure", 0.5 * share, "heap peak " + pct(share) + " of the -Xmx limit: "
                    + "lower data.batch_size, use precision: bf16, or raise -Xmx (BRISK_JAVA_OPTS)"));
        }
        out.sort(Comparator.comparingDouble(Suggestion::weight).reversed());
        return out;
    }

    /** The {@code n} heaviest suggestions. */
    public static List<Suggestion> top(Efficiency e, RunContext c, int n) {
        List<Suggestion> all = all(e, c);
        return all.subList(0, Math.min(n, all.size()));
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }
}
