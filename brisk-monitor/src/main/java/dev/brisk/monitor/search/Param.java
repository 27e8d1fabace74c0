package dev.brisk.monitor.search;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One dimension of a {@link SearchSpace}: a range or a list of choices, active always or only when earlier
 * categorical parameters have given values ({@code when}).
 */
public sealed interface Param {

    /** The config key the value goes to, e.g. {@code optim.lr}. */
    String key();

    /** Required values of earlier parameters (key → allowed values); empty: always active. */
    Map<String, List<Object>> when();

    /** Whether this parameter takes part given the values chosen so far. */
    default boolean activeGiven(Map<String, Object> chosen) {
        for (var c : when().entrySet()) {
            Object v = chosen.get(c.getKey());
            if (v == null || c.getValue().stream().noneMatch(a -> SearchSpace.same(a, v))) {
                return false;
            }
        }
        return true;
    }

    /** A real number in [low, high], sampled uniformly (or uniformly in log space when {@code log}). */
    record Real(String key, double low, double high, boolean log, Map<String, List<Object>> when) implements Param {
        public Real {
            Objects.requireNonNull(key, "key");
            if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException(key + ": needs finite low < high, got " + low + ", " + high);
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException(key + ": a log-uniform range needs low > 0, got " + low);
            }
        }

        /** Into the space samplers work in: log-scaled when {@code log}. */
        double toInternal(double v) {
            return log ? Math.log(v) : v;
        }

        double fromInternal(double u) {
            return Math.min(high, Math.max(low, log ? Math.exp(u) : u));
        }
    }

    /** An integer in [low, high] (inclusive), optionally log-scaled. */
    record Int(String key, long low, long high, boolean log, Map<String, List<Object>> when) implements Param {
        public Int {
            Objects.requireNonNull(key, "key");
            if (low > high) {
                throw new IllegalArgumentException(key + ": needs low ≤ high, got " + low + ", " + high);
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException(key + ": a log-scaled int range needs low > 0, got " + low);
            }
        }

        /** The continuous range samplers work in: [low − ½, high + ½] (log-scaled when {@code log}). */
        double internalLow() {
            return log ? Math.log(low - 0.5 <= 0 ? low : low - 0.5) : low - 0.5;
        }

        double internalHigh() {
            return log ? Math.log(high + 0.5) : high + 0.5;
        }

        double toInternal(long v) {
            return log ? Math.log(v) : v;
        }

        long fromInternal(double u) {
            long v = Math.round(log ? Math.exp(u) : u);
            return Math.min(high, Math.max(low, v));
        }
    }

    /** One of a list of values (numbers, strings or booleans). */
    record Choice(String key, List<Object> values, Map<String, List<Object>> when) implements Param {
        public Choice {
            Objects.requireNonNull(key, "key");
            if (values.isEmpty()) {
                throw new IllegalArgumentException(key + ": a categorical parameter needs at least one value");
            }
            values = List.copyOf(values);
        }

        int indexOf(Object v) {
            for (int i = 0; i < values.size(); i++) {
                if (SearchSpace.same(values.get(i), v)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
