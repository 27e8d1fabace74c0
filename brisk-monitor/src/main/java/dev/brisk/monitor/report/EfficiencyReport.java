package dev.brisk.monitor.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The end-of-run efficiency report as text (printed, {@code report.txt}) and JSON ({@code report.json}). */
public record EfficiencyReport(Efficiency efficiency, List<Suggestions.Suggestion> suggestions) {

    public static final String JSON_FILE = "report.json";
    public static final String TEXT_FILE = "report.txt";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static EfficiencyReport of(Efficiency e, RunContext c) {
        return new EfficiencyReport(e, Suggestions.top(e, c, 3));
    }

    public String toText() {
        Efficiency e = efficiency;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "efficiency over %d steps: %.1f samples/s, MFU %.1f%%%n", e.steps(),
                e.samplesPerS(), 100 * e.mfu()));
        b.append(String.format(Locale.ROOT, "  step time: data %s, forward %s, backward %s, communication %s,"
                        + " optimizer %s, other %s%n", p(e.dataFraction()), p(e.fwdFraction()), p(e.bwdFraction()),
                p(e.commExposedFraction()), p(e.optFraction()), p(e.otherFraction())));
        b.append(String.format(Locale.ROOT, "  data stall %s; communication hidden behind backward %s; outside the"
                + " steps (evaluation, checkpoints) %s of the wall time%n", p(e.dataFraction()),
                p(e.commHiddenFraction()), p(e.outsideStepsFraction())));
        Efficiency.Memory m = e.memory();
        b.append(String.format(Locale.ROOT, "  memory: parameters %s, gradients %s, optimizer state %s, peak"
                        + " activations %s; heap peak %s of %s%n", mb(m.parameters()), mb(m.gradients()),
                mb(m.optimizerState()), mb(m.peakActivations()), mb(m.heapPeak()), mb(m.heapMax())));
        if (suggestions.isEmpty()) {
            b.append("  suggestions: none; no rule found a bottleneck worth its change\n");
        } else {
            b.append("  suggestions:\n");
            for (int i = 0; i < suggestions.size(); i++) {
                b.append("    ").append(i + 1).append(". ").append(suggestions.get(i).text()).append('\n');
            }
        }
        return b.toString();
    }

    public ObjectNode toJson() {
        Efficiency e = efficiency;
        ObjectNode o = JSON.createObjectNode();
        o.put("steps", e.steps());
        o.put("samples_per_s", e.samplesPerS());
        o.put("mfu", e.mfu());
        ObjectNode time = o.putObject("step_time_fraction");
        time.put("data", e.dataFraction());
        time.put("forward", e.fwdFraction());
        time.put("backward", e.bwdFraction());
        time.put("communication", e.commExposedFraction());
        time.put("optimizer", e.optFraction());
        time.put("other", e.otherFraction());
        o.put("data_stall", e.dataFraction());
        ObjectNode comm = o.putObject("communication");
        comm.put("exposed_fraction_of_step", e.commExposedFraction());
        comm.put("hidden_fraction_of_communication", e.commHiddenFraction());
        o.put("outside_steps_fraction_of_wall", e.outsideStepsFraction());
        Efficiency.Memory m = e.memory();
        ObjectNode mem = o.putObject("memory_bytes");
        mem.put("parameters", m.parameters());
        mem.put("gradients", m.gradients());
        mem.put("optimizer_state", m.optimizerState());
        mem.put("peak_activations", m.peakActivations());
        mem.put("heap_peak", m.heapPeak());
        mem.put("heap_max", m.heapMax());
        ArrayNode s = o.putArray("suggestions");
        for (Suggestions.Suggestion x : suggestions) {
            ObjectNode n = s.addObject();
            n.put("rule", x.rule());
            n.put("weight", x.weight());
            n.put("text", x.text());
        }
        return o;
    }

    /** Writes {@code report.json} and {@code report.txt} into {@code runDir}. */
    public void write(Path runDir) {
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve(JSON_FILE), JSON.writeValueAsString(toJson()) + "\n");
            Files.writeString(runDir.resolve(TEXT_FILE), toText());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the efficiency report into " + runDir, ex);
        }
    }

    private static String p(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
