package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * What a run reports (section {@code report}).
 *
 * @param memory     {@code report.memory}: print the memory report (parameters, optimizer state, activations saved
 *                   for backward at the peak); default false
 * @param everySteps {@code report.every_steps}: write a metrics record (JSONL) every N optimizer steps, ≥ 1;
 *                   default 50
 */
public record ReportConfig(boolean memory, int everySteps) {

    public ReportConfig {
        check(everySteps >= 1, "report.every_steps", "must be ≥ 1, got " + everySteps);
    }

    public static ReportConfig defaults() {
        return new ReportConfig(false, 50);
    }
}
