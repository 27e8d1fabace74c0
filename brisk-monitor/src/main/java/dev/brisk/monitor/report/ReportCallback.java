package dev.brisk.monitor.report;

import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.io.PrintStream;
import java.util.Objects;

/**
 * Collects step timings during a run and, when it ends, prints the {@link EfficiencyReport} and writes it to the run
 * directory. Per step it only adds a few numbers and reads the heap use, so it can stay on for every run.
 */
public final class ReportCallback implements TrainerCallback {

    /** Steps left out of the throughput figures while the JIT warms up. */
    static final int WARMUP_STEPS = 3;

    private final RunContext context;
    private final double flopsPerSample;
    private final double peakFlops;
    private final PrintStream console;
    private final StepTotals totals = new StepTotals(WARMUP_STEPS);
    private long heapPeak;
    private EfficiencyReport report;

    /**
     * @param flopsPerSample forward + backward FLOPs per trained sample (0 when unknown)
     * @param peakFlops      the machine's FP32 peak, FLOP/s
     * @param console        where the report is printed (null: not printed)
     */
    public ReportCallback(RunContext context, double flopsPerSample, double peakFlops, PrintStream console) {
        this.context = Objects.requireNonNull(context, "context");
        this.flopsPerSample = flopsPerSample;
        this.peakFlops = peakFlops;
        this.console = console;
    }

    @Override
    public void afterStep(Trainer trainer, StepResult result) {
        totals.add(result);
        Runtime rt = Runtime.getRuntime();
        heapPeak = Math.max(heapPeak, rt.totalMemory() - rt.freeMemory());
    }

    @Override
    public void onFitEnd(Trainer trainer, Trainer.Summary summary) {
        Efficiency e = Efficiency.of(totals, summary.seconds(), flopsPerSample, peakFlops, memory(trainer));
        report = EfficiencyReport.of(e, context);
        if (console != null) {
            console.print(report.toText());
        }
        if (trainer.runDir() != null) {
            report.write(trainer.runDir());
        }
    }

    /** The report of the finished run, or null before the run ends. */
    public EfficiencyReport report() {
        return report;
    }

    private Efficiency.Memory memory(Trainer trainer) {
        Module model = trainer.model();
        long params = 0;
        long grads = 0;
        for (Tensor p : model.parameters()) {
            params += bytes(p);
            if (p.requiresGrad()) {
                grads += p.grad() != null ? bytes(p.grad()) : (long) p.numel() * Float.BYTES;
            }
        }
        long state = 0;
        for (Tensor t : trainer.optimizer().stateDict().values()) {
            state += bytes(t);
        }
        return new Efficiency.Memory(params, grads, state, trainer.trainStep().peakActivationBytes(), heapPeak,
                Runtime.getRuntime().maxMemory());
    }

    private static long bytes(Tensor t) {
        return (long) t.numel() * t.dtype().byteSize();
    }
}
