package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduce-on-plateau (PyTorch {@code ReduceLROnPlateau}), the one stateful schedule: after each evaluation,
 * {@link #step(double)} with the metric; when it has not improved for more than {@code patience} evaluations,
 * lr ← max(lr·factor, minLr) and a cool-down of {@code cooldown} evaluations starts, during which bad evaluations
 * are not counted. "Improved" means, for mode min: metric &lt; best·(1 − threshold) (relative) or
 * metric &lt; best − threshold (absolute); mirrored for max. The metric and the rate are kept in fp32 so that the
 * checkpointed state ({@link #stateDict()}) resumes bit-exactly.
 */
public final class ReduceOnPlateau {

    /** Whether a lower or a higher metric is better. */
    public enum Mode { MIN, MAX }

    /** Hyperparameters. */
    public record Config(Mode mode, double factor, int patience, double threshold, boolean relativeThreshold,
                         int cooldown, double minLr) {
        public Config {
            java.util.Objects.requireNonNull(mode, "mode");
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("reduce-on-plateau factor must be in (0, 1), got " + factor);
            }
            if (patience < 0 || cooldown < 0) {
                throw new IllegalArgumentException("reduce-on-plateau patience and cooldown must be >= 0, got "
                        + patience + ", " + cooldown);
            }
            if (!(threshold >= 0) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("reduce-on-plateau threshold must be finite and >= 0, got "
                        + threshold);
            }
            if (!(minLr >= 0) || Double.isInfinite(minLr)) {
                throw new IllegalArgumentException("reduce-on-plateau minLr must be finite and >= 0, got " + minLr);
            }
        }

        /** PyTorch's defaults: min mode, factor 0.1, patience 10, relative threshold 1e-4, no cool-down, minLr 0. */
        public static Config defaults() {
            return new Config(Mode.MIN, 0.1, 10, 1e-4, true, 0, 0);
        }
    }

    private final Config config;
    private float lr;
    private float best;
    private long badEpochs;
    private long cooldownLeft;

    public ReduceOnPlateau(double initialLr, Config config) {
        if (!(initialLr > 0) || !Float.isFinite((float) initialLr)) {
            throw new IllegalArgumentException("reduce-on-plateau initial lr must be positive and finite, got "
                    + initialLr);
        }
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.lr = (float) initialLr;
        this.best = config.mode() == Mode.MIN ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
    }

    public double lr() {
        return lr;
    }

    public double best() {
        return best;
    }

    private boolean improves(float metric) {
        double t = config.threshold();
        if (config.mode() == Mode.MIN) {
            return config.relativeThreshold() ? metric < best * (1 - t) : metric < best - t;
        }
        return config.relativeThreshold() ? metric > best * (1 + t) : metric > best + t;
    }

    /** Records one evaluation's metric (NaN is an error) and returns the learning rate to use from now on. */
    public double step(double metric) {
        if (Double.isNaN(metric)) {
            throw new IllegalArgumentException("reduce-on-plateau got a NaN metric; the run has diverged");
        }
        float m = (float) metric;
        if (improves(m)) {
            best = m;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > config.patience()) {
            lr = (float) Math.max(lr * config.factor(), config.minLr());
            cooldownLeft = config.cooldown();
            badEpochs = 0;
        }
        return lr;
    }

    /** {@code lr}, {@code best} (F32) and {@code num_bad_epochs}, {@code cooldown_counter} (I64). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("lr", Tensor.scalar(lr));
        out.put("best", Tensor.scalar(best));
        out.put("num_bad_epochs", Tensor.ofLongs(new long[] {badEpochs}, 1).reshape());
        out.put("cooldown_counter", Tensor.ofLongs(new long[] {cooldownLeft}, 1).reshape());
        return out;
    }

    public void loadStateDict(Map<String, Tensor> saved) {
        List<String> problems = new ArrayList<>();
        for (String key : List.of("lr", "best", "num_bad_epochs", "cooldown_counter")) {
            Tensor t = saved.get(key);
            boolean floating = key.equals("lr") || key.equals("best");
            if (t == null) {
                problems.add("missing '" + key + "'");
            } else if (t.numel() != 1 || t.dtype().isFloatingPoint() != floating) {
                problems.add("'" + key + "' must be one " + (floating ? "float" : "integer"));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load reduce-on-plateau state: " + String.join("; ", problems));
        }
        lr = saved.get("lr").item();
        best = saved.get("best").item();
        badEpochs = saved.get("num_bad_epochs").toLongArray()[0];
        cooldownLeft = saved.get("cooldown_counter").toLongArray()[0];
    }
}
