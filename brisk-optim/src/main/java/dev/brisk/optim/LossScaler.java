package dev.brisk.optim;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic loss scaling for fp16 training, with PyTorch's {@code GradScaler} semantics (systems.md §6.1).
 *
 * <p>Implementation overview. Per iteration:
 * <pre>
 *   loss' = scaler.scale(loss); loss'.backward();
 *   scaler.unscale(opt);                 // optional, e.g. to clip: g ← g · fp32(1 / fp64(S)); found_inf |= !finite(g)
 *   GradClip.byGlobalNorm(...);
 *   scaler.step(opt);                    // unscales if needed; opt.step() unless found_inf (params untouched)
 *   scaler.update();                     // found_inf: S ← max(S·backoff, minScale), tracker ← 0
 *                                        // else tracker += 1; at growthInterval: S ← S·growth if finite, tracker ← 0
 * </pre>
 * Each optimizer moves READY → UNSCALED → STEPPED and back to READY at {@link #update()}; any other order (unscaling
 * twice, unscaling after stepping, stepping twice, updating with nothing recorded, scaling mid-iteration, taking
 * the state mid-iteration) throws. The scale has a floor, {@code minScale}: once it sits there and the gradients
 * still overflow for {@code maxOverflowsAtMinScale} consecutive steps, {@link #update()} throws, naming the step
 * and the first non-finite gradient (the model itself produces inf/NaN; scaling cannot fix it).
 *
 * <p>A {@linkplain #disabled() disabled} scaler (fp32, bf16) passes everything through: scale(loss) = loss and
 * step always steps.
 */
public final class LossScaler {

    /**
     * Hyperparameters; {@link #defaults()} are PyTorch's (65536, ×2, ×0.5, 2000) with a floor at 1 that gives up
     * after 10 consecutive overflows there.
     */
    public record Config(double initScale, double growthFactor, double backoffFactor, int growthInterval,
                         double minScale, int maxOverflowsAtMinScale) {
        public Config {
            if (!(initScale > 0) || !Float.isFinite((float) initScale)) {
                throw new IllegalArgumentException("loss scaler initScale must be positive and finite in fp32, got "
                        + initScale + " (default 65536)");
            }
            if (!(growthFactor > 1) || Double.isInfinite(growthFactor)) {
                throw new IllegalArgumentException("loss scaler growthFactor must be > 1, got " + growthFactor
                        + " (default 2)");
            }
            if (!(backoffFactor > 0 && backoffFactor < 1)) {
                throw new IllegalArgumentException("loss scaler backoffFactor must be in (0, 1), got " + backoffFactor
                        + " (default 0.5)");
            }
            if (growthInterval < 1) {
                throw new IllegalArgumentException("loss scaler growthInterval must be >= 1, got " + growthInterval
                        + " (default 2000)");
            }
            if (!(minScale > 0) || minScale > initScale) {
                throw new IllegalArgumentException("loss scaler minScale must be in (0, initScale = " + initScale
                        + "], got " + minScale);
            }
            if (maxOverflowsAtMinScale < 1) {
                throw new IllegalArgumentException("loss scaler maxOverflowsAtMinScale must be >= 1, got "
                        + maxOverflowsAtMinScale);
            }
        }

        public static Config defaults() {
            return new Config(65536.0, 2.0, 0.5, 2000, 1.0, 10);
        }
    }

    private enum Stage { READY, UNSCALED, STEPPED }

    private final boolean enabled;
    private Config config;
    private float scale;
    private long growthTracker;
    private long iterations;          // update() calls, for error messages
    private int overflowsAtMin;
    private boolean lastSkipped;
    private final Map<Optimizer, Stage> stages = new IdentityHashMap<>();
    private final Map<Optimizer, String> foundInf = new IdentityHashMap<>(); // first non-finite grad, "" = none

    private LossScaler(boolean enabled, Config config) {
        this.enabled = enabled;
        this.config = config;
        this.scale = (float) config.initScale();
    }

    /** A dynamic scaler with {@link Config#defaults()}. */
    public static LossScaler dynamic() {
        return new LossScaler(true, Config.defaults());
    }

    public static LossScaler dynamic(Config config) {
        return new LossScaler(true, java.util.Objects.requireNonNull(config, "config"));
    }

    /** A pass-through scaler for fp32 and bf16. */
    public static LossScaler disabled() {
        return new LossScaler(false, Config.defaults());
    }

    public boolean isEnabled() {
        return enabled;
    }

    public Config config() {
        return config;
    }

    /** The current scale S (1 when disabled). */
    public float scale() {
        return enabled ? scale : 1f;
    }

    /** Consecutive clean steps since the last growth or backoff. */
    public long growthTracker() {
        return growthTracker;
    }

    /** Whether the last {@link #step} skipped the optimizer because of inf/NaN gradients. */
    public boolean lastStepSkipped() {
        return lastSkipped;
    }

    /** loss · S (differentiable); call before {@code backward()}. */
    public Tensor scale(Tensor loss) {
        if (!enabled) {
            return loss;
        }
        for (Map.Entry<Optimizer, Stage> e : stages.entrySet()) {
            if (e.getValue() != Stage.READY) {
                throw new IllegalStateException("scale() called after " + (e.getValue() == Stage.UNSCALED
                        ? "unscale()" : "step()") + " but before update(); call update() once at the end of each "
                        + "iteration, before scaling the next loss");
            }
        }
        return loss.mul(scale);
    }

    /**
     * Divides the optimizer's gradients by S in place and records whether any is inf/NaN. At most once per
     * optimizer per iteration, and before {@link #step}.
     */
    public void unscale(Optimizer opt) {
        if (!enabled) {
            return;
        }
        Stage s = stages.getOrDefault(opt, Stage.READY);
        if (s == Stage.UNSCALED) {
            throw new IllegalStateException("unscale() has already been called on this optimizer since the last "
                    + "update()");
        }
        if (s == Stage.STEPPED) {
            throw new IllegalStateException("unscale() is being called after step(); call update() first");
        }
        var k = Kernels.get().optimizers();
        float inv = (float) (1.0 / (double) scale);   // reciprocal in fp64, as PyTorch
        String first = "";
        for (Map.Entry<String, Tensor> e : opt.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            if (g == null) {
                continue;
            }
            if (g.dtype() != DType.F32) {
                throw new IllegalStateException("attempting to unscale " + g.dtype() + " gradients of '" + e.getKey()
                        + "': gradients must be F32 (master gradients)");
            }
            Tensor gc = GradClip.grad(e.getKey(), e.getValue());
            if (k.scale(gc.storage().floats(), gc.offset(), gc.numel(), inv) && first.isEmpty()) {
                first = e.getKey();
            }
        }
        foundInf.put(opt, first);
        stages.put(opt, Stage.UNSCALED);
    }

    /**
     * Unscales if not done yet, then runs {@code opt.step()} unless a gradient was inf/NaN; returns whether the
     * optimizer stepped.
     */
    public boolean step(Optimizer opt) {
        if (!enabled) {
            opt.step();
            lastSkipped = false;
            return true;
        }
        Stage s = stages.getOrDefault(opt, Stage.READY);
        if (s == Stage.STEPPED) {
            throw new IllegalStateException("step() has already been called on this optimizer since the last "
                    + "update()");
        }
        if (s == Stage.READY) {
            unscale(opt);
        }
        boolean skip = !foundInf.get(opt).isEmpty();
        if (!skip) {
            opt.step();
        }
        lastSkipped = skip;
        stages.put(opt, Stage.STEPPED);
        return !skip;
    }

    /** Backs off on overflow or grows after {@code growthInterval} clean steps; ends the iteration. */
    public void update() {
        if (!enabled) {
            return;
        }
        if (foundInf.isEmpty()) {
            throw new IllegalStateException("update() called but no inf checks were recorded since the last update(): "
                    + "call unscale(opt) or step(opt) first");
        }
        String first = foundInf.values().stream().filter(v -> !v.isEmpty()).findFirst().orElse("");
        iterations++;
        if (!first.isEmpty()) {
            float min = (float) config.minScale();
            if (scale <= min) {
                overflowsAtMin++;
                if (overflowsAtMin >= config.maxOverflowsAtMinScale()) {
                    stages.clear();
                    foundInf.clear();
                    throw new ArithmeticException("fp16 loss scale has stayed at its minimum " + min + " for "
                            + overflowsAtMin + " consecutive overflowing steps (iteration " + iterations
                            + "); first non-finite gradient: '" + first + "'. The model produces inf/NaN regardless "
                            + "of scaling: check the learning rate and inputs, or train in bf16");
                }
            }
            scale = Math.max((float) (scale * config.backoffFactor()), min);
            growthTracker = 0;
        } else {
            overflowsAtMin = 0;
            growthTracker++;
            if (growthTracker >= config.growthInterval()) {
                float grown = (float) (scale * config.growthFactor());
                if (Float.isFinite(grown)) {   // never grow to inf
                    scale = grown;
                }
                growthTracker = 0;
            }
        }
        stages.clear();
        foundInf.clear();
    }

    /**
     * {@code scale} (F32), {@code growth_tracker}, {@code overflows_at_min_scale} (I64) and the configuration
     * ({@code init_scale, growth_factor, backoff_factor, min_scale} F32; {@code growth_interval,
     * max_overflows_at_min_scale} I64); empty when disabled. Take it after {@link #update()}.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (!enabled) {
            return out;
        }
        if (!stages.isEmpty()) {
            throw new IllegalStateException("loss scaler stateDict() taken in the middle of an iteration (after "
                    + "unscale/step, before update()); take it after update()");
        }
        out.put("scale", Tensor.scalar(scale));
        out.put("growth_tracker", integer(growthTracker));
        out.put("overflows_at_min_scale", integer(overflowsAtMin));
        out.put("init_scale", Tensor.scalar((float) config.initScale()));
        out.put("growth_factor", Tensor.scalar((float) config.growthFactor()));
        out.put("backoff_factor", Tensor.scalar((float) config.backoffFactor()));
        out.put("growth_interval", integer(config.growthInterval()));
        out.put("min_scale", Tensor.scalar((float) config.minScale()));
        out.put("max_overflows_at_min_scale", integer(config.maxOverflowsAtMinScale()));
        return out;
    }

    /** Restores {@link #stateDict()}, configuration included; nothing changes if an entry is missing or bad. */
    public void loadStateDict(Map<String, Tensor> saved) {
        if (!enabled) {
            if (!saved.isEmpty()) {
                throw new IllegalArgumentException("this loss scaler is disabled (fp32/bf16) but the checkpoint holds "
                        + "loss-scaler state " + saved.keySet() + "; resume with precision fp16");
            }
            return;
        }
        if (!stages.isEmpty()) {
            throw new IllegalStateException("loss scaler loadStateDict() in the middle of an iteration; load before "
                    + "scaling the first loss");
        }
        List<String> problems = new ArrayList<>();
        double sc = value(saved, "scale", true, problems);
        long tracker = (long) value(saved, "growth_tracker", false, problems);
        long atMin = (long) value(saved, "overflows_at_min_scale", false, problems);
        double init = value(saved, "init_scale", true, problems);
        double growth = value(saved, "growth_factor", true, problems);
        double backoff = value(saved, "backoff_factor", true, problems);
        long interval = (long) value(saved, "growth_interval", false, problems);
        double min = value(saved, "min_scale", true, problems);
        long maxAtMin = (long) value(saved, "max_overflows_at_min_scale", false, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load loss scaler state: " + String.join("; ", problems));
        }
        Config c = new Config(init, growth, backoff, Math.toIntExact(interval), min, Math.toIntExact(maxAtMin));
        if (!(sc > 0) || !Double.isFinite(sc) || tracker < 0 || tracker >= interval || atMin < 0) {
            throw new IllegalArgumentException("cannot load loss scaler state: scale " + sc + ", growth_tracker "
                    + tracker + ", overflows_at_min_scale " + atMin + " are inconsistent with growth_interval "
                    + interval);
        }
        config = c;
        scale = (float) sc;
        growthTracker = tracker;
        overflowsAtMin = (int) atMin;
    }

    private static Tensor integer(long v) {
        return Tensor.ofLongs(new long[] {v}, 1).reshape();
    }

    private static double value(Map<String, Tensor> saved, String key, boolean floating, List<String> problems) {
        Tensor t = saved.get(key);
        if (t == null) {
            problems.add("missing '" + key + "'");
            return Double.NaN;
        }
        if (t.numel() != 1 || t.dtype().isFloatingPoint() != floating) {
            problems.add("'" + key + "' must be one " + (floating ? "float" : "integer") + ", got " + t.dtype()
                    + " with " + t.numel() + " elements");
            return Double.NaN;
        }
        return floating ? t.item() : t.toLongArray()[0];
    }
}
