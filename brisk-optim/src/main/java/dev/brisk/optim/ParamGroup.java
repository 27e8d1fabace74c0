package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * Named parameters that share a learning-rate multiplier and a weight decay. The optimizer's learning rate
 * (set by a schedule) times {@code lrScale} is the group's step size.
 */
public record ParamGroup(String name, Map<String, Tensor> params, double lrScale, double weightDecay) {

    public ParamGroup {
        Objects.requireNonNull(name, "name");
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(params, "params")));
        if (!(lrScale >= 0) || Double.isInfinite(lrScale)) {
            throw new IllegalArgumentException("param group '" + name + "': lrScale must be finite and >= 0, got "
                    + lrScale);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("param group '" + name + "': weight decay must be finite and >= 0, got "
                    + weightDecay);
        }
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (!e.getValue().isLeaf() || !e.getValue().dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("param group '" + name + "': '" + e.getKey()
                        + "' is not a floating-point leaf tensor");
            }
        }
    }

    /** All parameters in one group with decay {@code weightDecay}. */
    public static ParamGroup of(Map<String, Tensor> params, double weightDecay) {
        return new ParamGroup("all", params, 1.0, weightDecay);
    }

    /**
     * Two groups, "decay" and "no_decay", split by {@code decays} (name, tensor) — by default
     * {@link #DEFAULT_DECAY_MASK}: matrices and kernels decay, biases and normalisation weights (1-D) do not.
     */
    public static ParamGroup[] split(Map<String, Tensor> params, double weightDecay,
                                     BiPredicate<String, Tensor> decays) {
        Map<String, Tensor> yes = new LinkedHashMap<>();
        Map<String, Tensor> no = new LinkedHashMap<>();
        params.forEach((k, v) -> (decays.test(k, v) ? yes : no).put(k, v));
        return new ParamGroup[] {new ParamGroup("decay", yes, 1.0, weightDecay), new ParamGroup("no_decay", no, 1.0, 0)};
    }

    /** Decay tensors with at least 2 dims (weights of Linear/Conv/Embedding), not biases or norm scales. */
    public static final BiPredicate<String, Tensor> DEFAULT_DECAY_MASK = (name, t) -> t.dim() >= 2;
}
