package dev.brisk.optim;

import java.util.List;

/**
 * A learning rate as a pure function of the optimizer step t = 0, 1, 2, ... (the number of updates done so far):
 * {@code optimizer.setLr(schedule.at(t))} before each step. Every schedule is a record that validates its
 * parameters; each Javadoc gives its formula. Past their last step, decaying schedules stay at their final
 * value. {@link #withWarmup} composes a linear warm-up in front of any of them. The one stateful schedule,
 * reduce-on-plateau, is {@link ReduceOnPlateau}.
 */
public sealed interface Schedule {

    /** The learning rate at step {@code step} ≥ 0. */
    double at(long step);

    /** This schedule behind a linear warm-up of {@code warmupSteps} steps (see {@link Warmup}). */
    default Schedule withWarmup(long warmupSteps) {
        return new Warmup(this, warmupSteps);
    }

    private static void checkLr(String what, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + lr);
        }
    }

    private static void checkSteps(String what, long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + steps);
        }
    }

    private static long checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("schedule step must be >= 0, got " + step);
        }
        return step;
    }

    /** (1 + cos(π·x)) / 2 for x in [0, 1]: 1 at x = 0, 0 at x = 1. */
    private static double cosineFactor(double x) {
        return 0.5 * (1 + Math.cos(Math.PI * x));
    }

    /** η(t) = lr. */
    record Constant(double lr) implements Schedule {
        public Constant {
            checkLr("constant schedule lr", lr);
        }

        @Override
        public double at(long step) {
            checkStep(step);
            return lr;
        }
    }

    /** η(t) = lr · γ^⌊t / stepSize⌋ (PyTorch StepLR). */
    record StepDecay(double lr, long stepSize, double gamma) implements Schedule {
        public StepDecay {
            checkLr("step schedule lr", lr);
            checkSteps("step schedule stepSize", stepSize);
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("step schedule gamma must be in (0, 1], got " + gamma);
            }
        }

        @Override
        public double at(long step) {
            return lr * Math.pow(gamma, checkStep(step) / stepSize);
        }
    }

    /** η(t) = lr · γ^(number of milestones ≤ t) (PyTorch MultiStepLR); milestones strictly increasing, ≥ 1. */
    record MultiStep(double lr, List<Long> milestones, double gamma) implements Schedule {
        public MultiStep {
            checkLr("multi-step schedule lr", lr);
            milestones = List.copyOf(milestones);
            for (int i = 0; i < milestones.size(); i++) {
                if (milestones.get(i) < 1 || (i > 0 && milestones.get(i) <= milestones.get(i - 1))) {
                    throw new IllegalArgumentException("multi-step schedule milestones must be >= 1 and strictly "
                            + "increasing, got " + milestones);
                }
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("multi-step schedule gamma must be in (0, 1], got " + gamma);
            }
        }

        @Override
        public double at(long step) {
            checkStep(step);
            int passed = 0;
            for (long m : milestones) {
                if (m <= step) {
                    passed++;
                }
            }
            return lr * Math.pow(gamma, passed);
        }
    }

    /** η(t) = lr · γ^t (PyTorch ExponentialLR). */
    record Exponential(double lr, double gamma) implements Schedule {
        public Exponential {
            checkLr("exponential schedule lr", lr);
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("exponential schedule gamma must be in (0, 1], got " + gamma);
            }
        }

        @Override
        public double at(long step) {
            return lr * Math.pow(gamma, checkStep(step));
        }
    }

    /** η(t) = start + (end − start) · min(t, T)/T: linear from start at t = 0 to end at t ≥ T. */
    record Linear(double start, double end, long totalSteps) implements Schedule {
        public Linear {
            checkLr("linear schedule start", start);
            checkLr("linear schedule end", end);
            checkSteps("linear schedule totalSteps", totalSteps);
        }

        @Override
        public double at(long step) {
            double x = Math.min(checkStep(step), totalSteps) / (double) totalSteps;
            return start + (end - start) * x;
        }
    }

    /** η(t) = (lr − endLr) · (1 − min(t, T)/T)^power + endLr (PyTorch PolynomialLR with an end value). */
    record Polynomial(double lr, double endLr, long totalSteps, double power) implements Schedule {
        public Polynomial {
            checkLr("polynomial schedule lr", lr);
            checkLr("polynomial schedule endLr", endLr);
            checkSteps("polynomial schedule totalSteps", totalSteps);
            if (!(power > 0) || Double.isInfinite(power)) {
                throw new IllegalArgumentException("polynomial schedule power must be positive, got " + power);
            }
        }

        @Override
        public double at(long step) {
            double x = Math.min(checkStep(step), totalSteps) / (double) totalSteps;
            return (lr - endLr) * Math.pow(1 - x, power) + endLr;
        }
    }

    /** η(t) = minLr + (lr − minLr) · (1 + cos(π · min(t, T)/T)) / 2 (cosine annealing, no restarts). */
    record Cosine(double lr, double minLr, long totalSteps) implements Schedule {
        public Cosine {
            checkLr("cosine schedule lr", lr);
            checkLr("cosine schedule minLr", minLr);
            checkSteps("cosine schedule totalSteps", totalSteps);
        }

        @Override
        public double at(long step) {
            if (checkStep(step) >= totalSteps) {
                return minLr;
            }
            return minLr + (lr - minLr) * cosineFactor(step / (double) totalSteps);
        }
    }

    /**
     * SGDR (Loshchilov &amp; Hutter 2017, PyTorch CosineAnnealingWarmRestarts): cycle i lasts T_i = T_0 · mult^i steps;
     * with t_cur the steps into the current cycle, η(t) = minLr + (lr − minLr) · (1 + cos(π · t_cur/T_i)) / 2, so the
     * rate jumps back to lr at each restart.
     */
    record CosineRestarts(double lr, double minLr, long period, long periodMult) implements Schedule {
        public CosineRestarts {
            checkLr("cosine-restarts schedule lr", lr);
            checkLr("cosine-restarts schedule minLr", minLr);
            checkSteps("cosine-restarts schedule period", period);
            checkSteps("cosine-restarts schedule periodMult", periodMult);
        }

        @Override
        public double at(long step) {
            long t = checkStep(step);
            long ti = period;
            if (periodMult == 1) {
                t %= period;
            } else {
                while (t >= ti) {
                    t -= ti;
                    ti = Math.multiplyHigh(ti, periodMult) != 0 ? Long.MAX_VALUE : ti * periodMult;
                }
            }
            return minLr + (lr - minLr) * cosineFactor(t / (double) ti);
        }
    }

    /**
     * One-cycle (Smith &amp; Topin 2018, PyTorch OneCycleLR, cosine, two phases): from initial = maxLr/divFactor up to
     * maxLr at step p = pctStart·T − 1, then down to min = initial/finalDivFactor at step T − 1, each leg a half
     * cosine: η = end + (start − end)·(1 + cos(π·x))/2 for x the fraction of the leg. Stays at min past T − 1.
     */
    record OneCycle(double maxLr, long totalSteps, double pctStart, double divFactor, double finalDivFactor)
            implements Schedule {
        public OneCycle {
            checkLr("one-cycle maxLr", maxLr);
            checkSteps("one-cycle totalSteps", totalSteps);
            if (!(pctStart > 0 && pctStart < 1) || pctStart * totalSteps <= 1 || pctStart * totalSteps >= totalSteps) {
                throw new IllegalArgumentException("one-cycle pctStart must be in (0, 1) with 1 < pctStart·totalSteps < "
                        + "totalSteps, got " + pctStart + " with totalSteps " + totalSteps);
            }
            if (!(divFactor >= 1) || !(finalDivFactor >= 1) || Double.isInfinite(divFactor * finalDivFactor)) {
                throw new IllegalArgumentException("one-cycle divFactor and finalDivFactor must be finite and >= 1, got "
                        + divFactor + ", " + finalDivFactor + " (PyTorch's defaults: 25, 1e4)");
            }
        }

        /** PyTorch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4. */
        public static OneCycle of(double maxLr, long totalSteps) {
            return new OneCycle(maxLr, totalSteps, 0.3, 25, 1e4);
        }

        @Override
        public double at(long step) {
            double initial = maxLr / divFactor;
            double min = initial / finalDivFactor;
            double peak = pctStart * totalSteps - 1;
            double last = totalSteps - 1;
            double t = checkStep(step);
            if (t <= peak) {
                return maxLr + (initial - maxLr) * cosineFactor(t / peak);
            }
            double x = Math.min(1, (t - peak) / (last - peak));
            return min + (maxLr - min) * cosineFactor(x);
        }
    }

    /**
     * Linear warm-up in front of {@code inner} (llm.c's convention): η(t) = inner(0)·(t + 1)/W for t &lt; W, then
     * inner(t − W): the inner schedule starts, from its own step 0, when warm-up ends, so step W − 1 and step W
     * both run at inner(0) and a cosine of T steps behind a W-step warm-up ends at step W + T.
     */
    record Warmup(Schedule inner, long warmupSteps) implements Schedule {
        public Warmup {
            java.util.Objects.requireNonNull(inner, "inner");
            checkSteps("warm-up steps", warmupSteps);
        }

        @Override
        public double at(long step) {
            if (checkStep(step) < warmupSteps) {
                return inner.at(0) * (step + 1) / warmupSteps;
            }
            return inner.at(step - warmupSteps);
        }
    }
}
