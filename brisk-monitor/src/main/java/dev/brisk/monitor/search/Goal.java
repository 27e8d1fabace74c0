package dev.brisk.monitor.search;

import java.util.Objects;

/**
 * The metric a search optimises: a field of the {@code "kind": "eval"} records of metrics.jsonl, maximised or
 * minimised. Samplers and pruners work on scores, higher is better.
 */
public record Goal(String metric, boolean maximize) {

    public Goal {
        Objects.requireNonNull(metric, "metric");
    }

    public static Goal of(String metric, String mode) {
        return switch (mode) {
            case "max" -> new Goal(metric, true);
            case "min" -> new Goal(metric, false);
            case "auto" -> new Goal(metric, !metric.contains("loss"));
            default -> throw new IllegalArgumentException("--mode: expected max, min or auto, got '" + mode + "'");
        };
    }

    public double score(double metricValue) {
        return maximize ? metricValue : -metricValue;
    }

    /** Whether {@code a} is better than {@code b} (NaN is worst). */
    public boolean better(double a, double b) {
        if (Double.isNaN(b)) {
            return !Double.isNaN(a);
        }
        return !Double.isNaN(a) && score(a) > score(b);
    }
}
