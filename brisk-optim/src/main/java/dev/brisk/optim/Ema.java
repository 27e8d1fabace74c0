package dev.brisk.optim;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Exponential moving average of weights (Polyak averaging), kept in F32 beside the master weights:
 * <pre>
 *   d_t = warmup ? min(decay, (1 + t) / (10 + t)) : decay      (t = updates so far, TensorFlow's num_updates)
 *   s ← d_t·s + (1 − d_t)·θ
 * </pre>
 * Call {@link #update()} after each optimizer step. {@link #swapIn()} puts the averages into the parameters for
 * evaluation and puts the training weights back when closed: {@code try (var s = ema.swapIn()) { evaluate(); }}.
 */
public final class Ema {

    private final Map<String, Tensor> params;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();
    private final double decay;
    private final boolean warmup;
    private long updates;
    private Map<String, float[]> swappedOut; // training weights while the averages are swapped in

    /**
     * Averages {@code params} (F32, contiguous) with {@code decay} in [0, 1); {@code warmup} uses the smaller
     * decay (1 + t)/(10 + t) early on so the average forgets the initial weights quickly.
     */
    public Ema(Map<String, Tensor> params, double decay, boolean warmup) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay + " (typical: 0.999)");
        }
        this.params = Map.copyOf(Objects.requireNonNull(params, "params"));
        this.decay = decay;
        this.warmup = warmup;
        params.forEach((name, p) -> {
            if (p.dtype() != DType.F32 || !p.isContiguous()) {
                throw new IllegalArgumentException("EMA of '" + name + "': needs a contiguous F32 tensor, got "
                        + p.dtype());
            }
            shadow.put(name, p.detach().copy());
        });
    }

    /** The decay used by the next {@link #update()}. */
    public double currentDecay() {
        return warmup ? Math.min(decay, (1.0 + updates) / (10.0 + updates)) : decay;
    }

    /** s ← d·s + (1 − d)·θ for every parameter. */
    public void update() {
        if (swappedOut != null) {
            throw new IllegalStateException("EMA update() while the averages are swapped in; close the swapIn() "
                    + "scope first (updating would average the averages)");
        }
        var k = Kernels.get().optimizers();
        float d = (float) currentDecay();
        shadow.forEach((name, s) -> {
            Tensor p = params.get(name);
            k.ema(s.storage().floats(), s.offset(), p.storage().floats(), p.offset(), p.numel(), d);
        });
        updates++;
    }

    /** The averaged weights (live tensors; do not modify). */
    public Map<String, Tensor> averages() {
        return java.util.Collections.unmodifiableMap(shadow);
    }

    public long updates() {
        return updates;
    }

    /** Copies the averages into the parameters until the returned scope is closed, which restores them. */
    public AutoCloseable swapIn() {
        if (swappedOut != null) {
            throw new IllegalStateException("EMA averages are already swapped in");
        }
        Map<String, float[]> saved = new LinkedHashMap<>();
        shadow.forEach((name, s) -> {
            Tensor p = params.get(name);
            float[] pa = p.storage().floats();
            saved.put(name, Arrays.copyOfRange(pa, p.offset(), p.offset() + p.numel()));
            System.arraycopy(s.storage().floats(), s.offset(), pa, p.offset(), p.numel());
        });
        swappedOut = saved;
        return new AutoCloseable() {
            private boolean closed;

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                swappedOut.forEach((name, w) -> {
                    Tensor p = params.get(name);
                    System.arraycopy(w, 0, p.storage().floats(), p.offset(), w.length);
                });
                swappedOut = null;
            }
        };
    }

    /** The averages ({@code <param>}) and the update count ({@code num_updates}, I64) as named tensors. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>(shadow);
        out.put("num_updates", Tensor.ofLongs(new long[] {updates}, 1).reshape());
        return out;
    }

    /** Restores {@link #stateDict()}; every parameter must be present with its shape, or nothing changes. */
    public void loadStateDict(Map<String, Tensor> saved) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : shadow.entrySet()) {
            Tensor t = saved.get(e.getKey());
            if (t == null) {
                problems.add("missing '" + e.getKey() + "'");
            } else if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but the parameter has shape " + Arrays.toString(e.getValue().shape()));
            }
        }
        Tensor n = saved.get("num_updates");
        if (n == null || n.numel() != 1 || n.dtype().isFloatingPoint()) {
            problems.add("'num_updates' must be one integer");
        }
        for (String key : saved.keySet()) {
            if (!shadow.containsKey(key) && !key.equals("num_updates")) {
                problems.add("unexpected '" + key + "' (no such parameter)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load EMA state: " + String.join("; ", problems));
        }
        shadow.forEach((name, s) -> s.copyFrom(saved.get(name)));
        updates = n.toLongArray()[0];
    }
}
