package dev.brisk.monitor.profile;

import java.util.Iterator;
import java.util.List;

/**
 * The optimizer steps a profile records: {@code FROM:TO} is steps FROM..TO-1 (counted from 1, like the step numbers
 * in metrics.jsonl), so {@code 10:20} records ten steps. The default skips the first steps, where the JIT is still
 * compiling and the timings say little about the run.
 */
public record ProfileWindow(long from, long to) {

    /** The config key that selects the window: {@code --set profile.steps=10:20}. */
    public static final String KEY = "profile.steps";
    public static final ProfileWindow DEFAULT = new ProfileWindow(5, 15);

    public ProfileWindow {
        if (from < 1 || to <= from) {
            throw new IllegalArgumentException(KEY + ": needs 1 ≤ FROM < TO, got " + from + ":" + to);
        }
    }

    public boolean contains(long step) {
        return step >= from && step < to;
    }

    /** Parses {@code FROM:TO}. */
    public static ProfileWindow parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException(KEY + ": expected FROM:TO (e.g. 10:20), got '" + text + "'");
        }
        try {
            return new ProfileWindow(Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(KEY + ": expected whole step numbers FROM:TO, got '" + text + "'");
        }
    }

    /**
     * Takes the {@code profile.steps=...} overrides out of {@code sets} (they are not part of the training config)
     * and returns the window they name, the last one winning; null when there is none.
     */
    public static ProfileWindow extract(List<String> sets) {
        ProfileWindow w = null;
        for (Iterator<String> it = sets.iterator(); it.hasNext(); ) {
            String s = it.next();
            int eq = s.indexOf('=');
            if (eq > 0 && s.substring(0, eq).trim().equals(KEY)) {
                w = parse(s.substring(eq + 1));
                it.remove();
            }
        }
        return w;
    }
}
