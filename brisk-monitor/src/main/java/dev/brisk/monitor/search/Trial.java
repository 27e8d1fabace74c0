package dev.brisk.monitor.search;

import java.util.List;
import java.util.Map;

/**
 * One trial of a search: its parameters, how it ended and its metric.
 *
 * @param id      1, 2, ... in the order trials were started
 * @param params  the assignment (active parameters only), in space order
 * @param status  how it ended
 * @param metric  the metric at its last evaluation (NaN when none)
 * @param curve   the metric at each evaluation, in order
 * @param seconds wall time
 * @param error   why it failed (null otherwise)
 */
public record Trial(int id, Map<String, Object> params, Status status, double metric, List<Double> curve,
                    double seconds, String error) {

    public enum Status {
        COMPLETE, PRUNED, FAILED;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Trial {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        curve = List.copyOf(curve);
    }

    /** The directory name of the trial's run inside the search directory. */
    public static String dirName(int id) {
        return String.format("trial-%04d", id);
    }
}
