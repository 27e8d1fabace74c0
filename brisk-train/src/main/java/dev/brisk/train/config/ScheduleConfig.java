package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The learning-rate schedule (section {@code schedule}): a curve from the base rate {@code optim.lr}, optionally
 * behind a linear warm-up of {@code warmup_steps} optimizer steps (the curve starts when warm-up ends and spans the
 * rest of the run). YAML: {@code schedule: cosine} or {@code schedule: {name: step, step_size: 1000, gamma: 0.5}};
 * each curve's keys and defaults are on its record. Steps are optimizer steps. Default: {@code cosine}, no warm-up.
 *
 * @param curve       {@code schedule.name} and that curve's settings
 * @param warmupSteps {@code schedule.warmup_steps}: ≥ 0; default 0
 */
public record ScheduleConfig(Curve curve, long warmupSteps) {

    /** The names accepted by {@code schedule.name}. */
    public static final List<String> NAMES = List.of("constant", "step", "multistep", "exponential", "linear",
            "polynomial", "cosine", "onecycle", "plateau");

    public ScheduleConfig {
        Objects.requireNonNull(curve, "schedule curve");
        check(warmupSteps >= 0, "schedule.warmup_steps", "must be ≥ 0, got " + warmupSteps);
    }

    /** Cosine decay to 0 over the run, no warm-up. */
    public static ScheduleConfig defaults() {
        return new ScheduleConfig(new Cosine(0, null, 1), 0);
    }

    /** The shape of the schedule after warm-up. */
    public sealed interface Curve permits Constant, StepDecay, MultiStep, Exponential, Linear, Polynomial, Cosine,
            OneCycle, Plateau {
        /** The YAML name. */
        String key();
    }

    /** {@code constant}: lr throughout. */
    public record Constant() implements Curve {
        @Override
        public String key() {
            return "constant";
        }
    }

    /** {@code step}: lr · gamma^⌊t / step_size⌋; step_size required (≥ 1), gamma 0.1 in (0, 1]. */
    public record StepDecay(long stepSize, double gamma) implements Curve {
        public StepDecay {
            check(stepSize >= 1, "schedule.step_size", "must be ≥ 1 optimizer step, got " + stepSize);
            checkGamma(gamma);
        }

        @Override
        public String key() {
            return "step";
        }
    }

    /** {@code multistep}: lr · gamma^(milestones passed); milestones required, increasing, ≥ 1; gamma 0.1. */
    public record MultiStep(List<Long> milestones, double gamma) implements Curve {
        public MultiStep {
            milestones = List.copyOf(milestones);
            check(!milestones.isEmpty(), "schedule.milestones", "needs at least one step, e.g. [1000, 2000]");
            for (int i = 0; i < milestones.size(); i++) {
                check(milestones.get(i) >= 1 && (i == 0 || milestones.get(i) > milestones.get(i - 1)),
                        "schedule.milestones", "must be ≥ 1 and strictly increasing, got " + milestones);
            }
            checkGamma(gamma);
        }

        @Override
        public String key() {
            return "multistep";
        }
    }

    /** {@code exponential}: lr · gamma^t; gamma required, in (0, 1]. */
    public record Exponential(double gamma) implements Curve {
        public Exponential {
            checkGamma(gamma);
        }

        @Override
        public String key() {
            return "exponential";
        }
    }

    /** {@code linear}: from lr to end_lr (default 0) over the run. */
    public record Linear(double endLr) implements Curve {
        public Linear {
            checkLr("schedule.end_lr", endLr);
        }

        @Override
        public String key() {
            return "linear";
        }
    }

    /** {@code polynomial}: (lr − end_lr)·(1 − t/T)^power + end_lr; power 1 (> 0), end_lr 0. */
    public record Polynomial(double power, double endLr) implements Curve {
        public Polynomial {
            check(power > 0 && Double.isFinite(power), "schedule.power", "must be a finite number > 0, got " + power);
            checkLr("schedule.end_lr", endLr);
        }

        @Override
        public String key() {
            return "polynomial";
        }
    }

    /**
     * {@code cosine}: half a cosine from lr to min_lr (default 0) over the run; with {@code restart_period} (steps,
     * default null = no restarts) SGDR restarts, each cycle {@code restart_mult} (default 1) times the previous.
     */
    public record Cosine(double minLr, Long restartPeriod, long restartMult) implements Curve {
        public Cosine {
            checkLr("schedule.min_lr", minLr);
            check(restartPeriod == null || restartPeriod >= 1, "schedule.restart_period",
                    "must be ≥ 1 optimizer step (or null for no restarts), got " + restartPeriod);
            check(restartMult >= 1, "schedule.restart_mult", "must be ≥ 1, got " + restartMult);
            check(restartPeriod != null || restartMult == 1, "schedule.restart_mult",
                    "only applies with restart_period; set restart_period or remove restart_mult");
        }

        @Override
        public String key() {
            return "cosine";
        }
    }

    /**
     * {@code onecycle}: from lr/div_factor up to lr over the first pct_start of the run, then down to
     * lr/(div_factor·final_div_factor); pct_start 0.3 in (0, 1), div_factor 25 (≥ 1), final_div_factor 1e4 (≥ 1).
     */
    public record OneCycle(double pctStart, double divFactor, double finalDivFactor) implements Curve {
        public OneCycle {
            check(pctStart > 0 && pctStart < 1, "schedule.pct_start", "must be in (0, 1), got " + pctStart);
            check(divFactor >= 1 && Double.isFinite(divFactor), "schedule.div_factor",
                    "must be finite and ≥ 1, got " + divFactor);
            check(finalDivFactor >= 1 && Double.isFinite(finalDivFactor), "schedule.final_div_factor",
                    "must be finite and ≥ 1, got " + finalDivFactor);
        }

        @Override
        public String key() {
            return "onecycle";
        }
    }

    /**
     * {@code plateau}: reduce on plateau, driven by evaluations — lr·factor when {@code metric} has not improved
     * (relative threshold) for more than {@code patience} evaluations, then {@code cooldown} evaluations of rest,
     * never below min_lr. metric val_loss (lower is better, default) or val_accuracy; factor 0.1 in (0, 1);
     * patience 10 and cooldown 0 (≥ 0); threshold 1e-4 (≥ 0); min_lr 0.
     */
    public record Plateau(Metric metric, double factor, int patience, double threshold, int cooldown, double minLr)
            implements Curve {
        public Plateau {
            Objects.requireNonNull(metric, "schedule.metric");
            check(factor > 0 && factor < 1, "schedule.factor", "must be in (0, 1), got " + factor);
            check(patience >= 0, "schedule.patience", "must be ≥ 0 evaluations, got " + patience);
            check(threshold >= 0 && Double.isFinite(threshold), "schedule.threshold",
                    "must be finite and ≥ 0, got " + threshold);
            check(cooldown >= 0, "schedule.cooldown", "must be ≥ 0 evaluations, got " + cooldown);
            checkLr("schedule.min_lr", minLr);
        }

        @Override
        public String key() {
            return "plateau";
        }
    }

    /** The evaluation metric a plateau schedule watches. */
    public enum Metric {
        VAL_LOSS, VAL_ACCURACY;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static void checkGamma(double gamma) {
        check(gamma > 0 && gamma <= 1, "schedule.gamma", "must be in (0, 1], got " + gamma);
    }

    private static void checkLr(String key, double lr) {
        check(lr >= 0 && Double.isFinite(lr), key, "must be a finite number ≥ 0, got " + lr);
    }
}
