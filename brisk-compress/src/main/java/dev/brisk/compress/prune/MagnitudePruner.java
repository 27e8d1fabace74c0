package dev.brisk.compress.prune;

import dev.brisk.nn.Module;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Unstructured magnitude pruning: the weights of smallest |w| are set to zero and held there by a 0/1 mask that is
 * re-applied after every optimizer step (as a {@link TrainerCallback}), so fine-tuning cannot revive them.
 *
 * <p>Prunable tensors are the parameters with two or more dims (Linear and Conv2d weights, embeddings); biases and
 * norm scales are left alone, as in PyTorch's {@code global_unstructured} examples. With {@link Scope#PER_LAYER}
 * every tensor loses the same fraction; with {@link Scope#GLOBAL} one threshold is taken over all of them, so layers
 * with many small weights lose more. Exactly {@code ⌊s·n⌋} entries are masked (ties broken by position), and a
 * masked entry stays masked when the sparsity is raised later, because it is zero and so among the smallest.
 */
public final class MagnitudePruner implements TrainerCallback {

    /** Where the threshold is taken. */
    public enum Scope { PER_LAYER, GLOBAL }

    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Map<String, boolean[]> masks = new LinkedHashMap<>(); // true = kept

    /** A pruner over every parameter of {@code model} with ≥ 2 dims; no weight is masked yet. */
    public MagnitudePruner(Module model) {
        model.namedParameters().forEach((name, p) -> {
            if (p.dim() >= 2 && p.dtype() == DType.F32) {
                if (!p.isContiguous() || p.offset() != 0) {
                    throw new IllegalArgumentException("MagnitudePruner: parameter " + name + " is a view; pruning "
                            + "needs parameters that own their storage");
                }
                weights.put(name, p);
                boolean[] keep = new boolean[p.numel()];
                Arrays.fill(keep, true);
                masks.put(name, keep);
            }
        });
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("MagnitudePruner: the model has no weight with 2 or more dims to prune");
        }
    }

    /** The prunable tensors by parameter name. */
    public Map<String, Tensor> weights() {
        return java.util.Collections.unmodifiableMap(weights);
    }

    /** Masks the fraction {@code sparsity} of smallest-magnitude weights and zeroes them. */
    public void prune(double sparsity, Scope scope) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        }
        Objects.requireNonNull(scope, "scope");
        if (scope == Scope.PER_LAYER) {
            weights.forEach((name, w) -> masks.put(name, smallestMasked(List.of(w), sparsity).getFirst()));
        } else {
            List<boolean[]> all = smallestMasked(new ArrayList<>(weights.values()), sparsity);
            int i = 0;
            for (String name : weights.keySet()) {
                masks.put(name, all.get(i++));
            }
        }
        applyMasks();
    }

    /** Zeroes every masked weight in place (after an optimizer step has moved it). */
    public void applyMasks() {
        weights.forEach((name, w) -> {
            float[] data = w.storage().floats();
            boolean[] keep = masks.get(name);
            for (int i = 0; i < keep.length; i++) {
                if (!keep[i]) {
                    data[i] = 0f;
                }
            }
        });
    }

    /** The mask of {@code name} as a 0/1 F32 tensor of the weight's shape. */
    public Tensor mask(String name) {
        boolean[] keep = masks.get(name);
        if (keep == null) {
            throw new IllegalArgumentException("no prunable weight named " + name + "; known: " + weights.keySet());
        }
        float[] m = new float[keep.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = keep[i] ? 1f : 0f;
        }
        return Tensor.of(m, weights.get(name).shape());
    }

    /** The fraction of prunable weights that are masked. */
    public double sparsity() {
        long masked = 0;
        long total = 0;
        for (boolean[] keep : masks.values()) {
            for (boolean k : keep) {
                masked += k ? 0 : 1;
            }
            total += keep.length;
        }
        return (double) masked / total;
    }

    @Override
    public void afterStep(Trainer trainer, StepResult result) {
        applyMasks();
    }

    /**
     * Masks for {@code tensors} that mask exactly ⌊s·n⌋ of their n entries in total: those of smallest |w|, ties
     * broken by position (tensor order, then index).
     */
    static List<boolean[]> smallestMasked(List<Tensor> tensors, double sparsity) {
        int total = tensors.stream().mapToInt(Tensor::numel).sum();
        int k = (int) Math.floor(sparsity * total);
        float[] mags = new float[total];
        int o = 0;
        for (Tensor t : tensors) {
            float[] d = t.storage().floats();
            for (int i = 0; i < t.numel(); i++) {
                mags[o++] = Math.abs(d[i]);
            }
        }
        float threshold = Float.NEGATIVE_INFINITY;
        if (k > 0) {
            float[] sorted = mags.clone();
            Arrays.sort(sorted);
            threshold = sorted[k - 1];
        }
        int below = 0;
        for (float m : mags) {
            below += m < threshold ? 1 : 0;
        }
        int tiesToMask = k - below; // entries equal to the threshold that are masked, first by position
        List<boolean[]> out = new ArrayList<>();
        o = 0;
        for (Tensor t : tensors) {
            boolean[] keep = new boolean[t.numel()];
            for (int i = 0; i < keep.length; i++, o++) {
                float m = mags[o];
                if (k > 0 && m < threshold) {
                    keep[i] = false;
                } else if (k > 0 && m == threshold && tiesToMask > 0) {
                    keep[i] = false;
                    tiesToMask--;
                } else {
                    keep[i] = true;
                }
            }
            out.add(keep);
        }
        return out;
    }
}
