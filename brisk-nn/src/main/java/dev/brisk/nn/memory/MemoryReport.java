package dev.brisk.nn.memory;

import dev.brisk.nn.Module;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a training step's memory goes, by category and dtype:
 * <ul>
 *   <li><b>parameters</b>: the storages of the model's parameters (tied weights once);</li>
 *   <li><b>gradients</b>: one gradient per trainable parameter, from {@code grad()} where it exists, else the F32
 *       gradient backward will allocate (Brisk keeps gradients in F32), so the figure is the same before and after
 *       the first backward;</li>
 *   <li><b>optimizer state</b>: the tensors of the optimizer's state dict (e.g. Adam: exp_avg and exp_avg_sq, 2 × 4
 *       bytes per parameter); taken as a map so that this module does not depend on the optimizer module;</li>
 *   <li><b>activations</b>: saved for backward, at their peak right before backward ({@link ActivationProfile}),
 *       with the per-layer table;</li>
 *   <li><b>workspace</b> and <b>data-loader buffers</b>: not visible to the graph; the caller passes what it knows
 *       (backend scratch, batch bytes × prefetch depth), {@code -1} when not measured.</li>
 * </ul>
 * Not counted: transient temporaries of forward and backward (freed op by op), the recompute of checkpointed blocks
 * during backward (one block at a time, see {@code Checkpointed.lastRecomputeBytes}), JVM overhead.
 *
 * <p>Usage: {@code var acts = ActivationProfile.measure(model, loss);} before {@code loss.backward()}, then after the
 * optimizer step {@code MemoryReport.of(model, optimizer.stateDict(), acts)}; print {@link #toText} and write
 * {@link #toJson} to metrics.jsonl.
 */
public record MemoryReport(Usage parameters, Usage gradients, Usage optimizerState, ActivationProfile activations,
                           long workspaceBytes, long dataLoaderBytes) {

    public MemoryReport {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(gradients, "gradients");
        Objects.requireNonNull(optimizerState, "optimizerState");
        Objects.requireNonNull(activations, "activations");
        if (workspaceBytes < -1 || dataLoaderBytes < -1) {
            throw new IllegalArgumentException("MemoryReport: workspace and data-loader bytes must be ≥ 0, or -1 when"
                    + " not measured; got " + workspaceBytes + " and " + dataLoaderBytes);
        }
    }

    /** Measures parameters, gradients and optimizer state now; workspace and data loader not measured. */
    public static MemoryReport of(Module model, Map<String, Tensor> optimizerState, ActivationProfile activations) {
        Usage.Tally params = new Usage.Tally();
        Usage.Tally grads = new Usage.Tally();
        for (Tensor p : model.parameters()) {
            params.addStorage(p);
            if (p.grad() != null) {
                grads.addStorage(p.grad());
            } else if (p.requiresGrad()) {
                grads.add(DType.F32, (long) p.numel() * DType.F32.byteSize());
            }
        }
        Usage.Tally state = new Usage.Tally();
        optimizerState.values().forEach(state::addStorage);
        return new MemoryReport(params.usage(), grads.usage(), state.usage(), activations, -1, -1);
    }

    public MemoryReport withWorkspace(long bytes) {
        return new MemoryReport(parameters, gradients, optimizerState, activations, bytes, dataLoaderBytes);
    }

    public MemoryReport withDataLoader(long bytes) {
        return new MemoryReport(parameters, gradients, optimizerState, activations, workspaceBytes, bytes);
    }

    /** The sum of every category that was measured. */
    public long totalBytes() {
        return parameters.bytes() + gradients.bytes() + optimizerState.bytes() + activations.total().bytes()
                + Math.max(0, workspaceBytes) + Math.max(0, dataLoaderBytes);
    }

    /** Every measured tensor category together, by dtype. */
    public Usage byDtype() {
        return parameters.plus(gradients).plus(optimizerState).plus(activations.total());
    }

    /** A table of the categories and the {@code topLayers} layers keeping the most activations. */
    public String toText(int topLayers) {
        StringBuilder sb = new StringBuilder("memory (after the first step)\n");
        row(sb, "parameters", parameters);
        row(sb, "gradients", gradients);
        row(sb, "optimizer state", optimizerState);
        row(sb, "activations (peak, saved for backward)", activations.total());
        sb.append(String.format(Locale.ROOT, "  %-40s %12s%n", "workspace", bytesOrNa(workspaceBytes)));
        sb.append(String.format(Locale.ROOT, "  %-40s %12s%n", "data-loader buffers", bytesOrNa(dataLoaderBytes)));
        row(sb, "total", new Usage(totalBytes() - Math.max(0, workspaceBytes) - Math.max(0, dataLoaderBytes),
                byDtype().byDtype()));
        int n = Math.min(topLayers, activations.layers().size());
        if (n > 0) {
            sb.append(String.format(Locale.ROOT, "activations by layer (top %d of %d)%n", n,
                    activations.layers().size()));
            for (int i = 0; i < n; i++) {
                ActivationProfile.Layer l = activations.layers().get(i);
                double share = 100.0 * l.saved().bytes() / Math.max(1, activations.total().bytes());
                sb.append(String.format(Locale.ROOT, "  %-30s %-24s %12s %5.1f%%  %d ops%n", l.name(), l.kind(),
                        bytes(l.saved().bytes()), share, l.ops()));
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Usage u) {
        StringBuilder dt = new StringBuilder();
        u.byDtype().forEach((d, b) -> dt.append(dt.isEmpty() ? "" : ", ").append(d).append(' ').append(bytes(b)));
        sb.append(String.format(Locale.ROOT, "  %-40s %12s  %s%n", name, bytes(u.bytes()), dt));
    }

    /** Binary units with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 MiB}. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String bytesOrNa(long b) {
        return b < 0 ? "not measured" : bytes(b);
    }

    /**
     * One JSON object for metrics.jsonl: {@code {"parameters":{"bytes":…,"by_dtype":{"F32":…}}, …,
     * "workspace_bytes":null, "data_loader_bytes":null, "total_bytes":…, "activation_layers":[{"layer":…,
     * "kind":…,"bytes":…,"ops":…}, …]}}, layers sorted by bytes, largest first, at most {@code topLayers}.
     */
    public String toJson(int topLayers) {
        StringBuilder sb = new StringBuilder("{");
        usage(sb, "parameters", parameters).append(',');
        usage(sb, "gradients", gradients).append(',');
        usage(sb, "optimizer_state", optimizerState).append(',');
        usage(sb, "activations", activations.total()).append(',');
        sb.append("\"workspace_bytes\":").append(workspaceBytes < 0 ? "null" : Long.toString(workspaceBytes));
        sb.append(",\"data_loader_bytes\":").append(dataLoaderBytes < 0 ? "null" : Long.toString(dataLoaderBytes));
        sb.append(",\"total_bytes\":").append(totalBytes()).append(",\"activation_layers\":[");
        int n = Math.min(topLayers, activations.layers().size());
        for (int i = 0; i < n; i++) {
            ActivationProfile.Layer l = activations.layers().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"layer\":").append(quote(l.name())).append(",\"kind\":")
                    .append(quote(l.kind())).append(",\"bytes\":").append(l.saved().bytes()).append(",\"ops\":")
                    .append(l.ops()).append('}');
        }
        return sb.append("]}").toString();
    }

    private static StringBuilder usage(StringBuilder sb, String name, Usage u) {
        sb.append('"').append(name).append("\":{\"bytes\":").append(u.bytes()).append(",\"by_dtype\":{");
        boolean first = true;
        for (Map.Entry<DType, Long> e : u.byDtype().entrySet()) {
            sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
            first = false;
        }
        return sb.append("}}");
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
