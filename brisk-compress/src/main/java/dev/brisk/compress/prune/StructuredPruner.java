package dev.brisk.compress.prune;

import dev.brisk.nn.AvgPool2d;
import dev.brisk.nn.BatchNorm1d;
import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.BatchNormConfig;
import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.Flatten;
import dev.brisk.nn.GELU;
import dev.brisk.nn.Linear;
import dev.brisk.nn.MaxPool2d;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.SiLU;
import dev.brisk.nn.Sigmoid;
import dev.brisk.nn.Tanh;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.LayerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Structured pruning of a layer stack: each Conv2d (Linear) that feeds another Conv2d or Linear loses the fraction
 * {@code sparsity} of its output channels (neurons) of smallest weight norm — the L1 or L2 norm of the channel's
 * filter {@code W[c, :, :, :]} (row {@code W[c, :]}), as Li et al. (2017), "Pruning Filters for Efficient ConvNets".
 * The channels are physically removed: the producer gets fewer outputs, a batch norm in between keeps the
 * statistics and affine terms of the surviving channels, and the consumer loses the matching inputs — for a conv
 * feeding a Linear through {@code flatten}, the H·W columns of each removed channel. The result is a smaller stack
 * of ordinary layers, described by the same layer list with smaller {@code out} values, so it is saved, loaded and
 * trained like any custom model.
 *
 * <p>The last layer (the classifier) keeps its outputs. Between a producer and its consumer only element-wise
 * layers, pooling, dropout, batch norm and flatten may stand; a producer followed by anything else (layer norm, a
 * residual block) is left as it is.
 */
public final class StructuredPruner {

    /** The filter norm that ranks channels. */
    public enum Norm { L1, L2 }

    /** A pruned stack, its layer list, and one line per pruned layer ("layer 0 conv2d: 32 → 16 channels"). */
    public record Result(Sequential model, List<LayerSpec> specs, List<String> changes) {
    }

    private StructuredPruner() {
    }

    /**
     * Prunes a copy of {@code model}; {@code model} is left untouched.
     *
     * @param specs the layer list {@code model} was built from, one spec per child, in order
     */
    public static Result prune(Sequential model, List<LayerSpec> specs, double sparsity, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        }
        if (specs.size() != model.size()) {
            throw new IllegalArgumentException("the layer list has " + specs.size() + " entries but the model has "
                    + model.size() + " layers");
        }
        List<Module> layers = new ArrayList<>(model.layers());
        List<LayerSpec> outSpecs = new ArrayList<>(specs);
        List<String> changes = new ArrayList<>();
        Rng rng = new Rng(0); // initialises the new layers before their weights are copied in
        for (int p = 0; p < layers.size(); p++) {
            Module producer = layers.get(p);
            int out = outputs(producer);
            if (out < 0) {
                continue;
            }
            int c = consumerOf(layers, p);
            if (c < 0) {
                continue;
            }
            int keepCount = Math.max(1, (int) Math.round((1 - sparsity) * out));
            if (keepCount == out) {
                continue;
            }
            int[] keep = strongest(weightOf(producer), keepCount, norm);
            Tensor idx = Tensor.ofInts(keep, keep.length);
            try (var _ = GradMode.noGrad()) {
                layers.set(p, shrinkOutputs(producer, idx, rng));
                int spatial = 1;
                for (int i = p + 1; i < c; i++) {
                    Module m = layers.get(i);
                    if (m instanceof BatchNorm2d || m instanceof BatchNorm1d) {
                        layers.set(i, shrinkNorm(m, idx));
                    }
                    if (m instanceof Flatten) {
                        spatial = inputsOf(layers.get(c)) / out;
                    }
                }
                layers.set(c, shrinkInputs(layers.get(c), inputColumns(keep, spatial), rng));
            }
            outSpecs.set(p, withOut(specs.get(p), keepCount, p));
            changes.add("layer " + p + " " + specs.get(p).key() + ": " + out + " → " + keepCount
                    + (producer instanceof Conv2d ? " channels" : " neurons"));
        }
        return new Result(new Sequential(layers), List.copyOf(outSpecs), List.copyOf(changes));
    }

    /** Indices (ascending) of the {@code count} output channels of largest norm. */
    static int[] strongest(Tensor weight, int count, Norm norm) {
        int out = weight.size(0);
        Tensor rows = weight.reshape(out, -1);
        float[] scores = (norm == Norm.L1 ? rows.abs().sum(1, false) : rows.mul(rows).sum(1, false).sqrt())
                .contiguous().toFloatArray();
        Integer[] order = new Integer[out];
        for (int i = 0; i < out; i++) {
            order[i] = i;
        }
        // largest first; equal scores keep the lower index
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : a - b);
        int[] keep = new int[count];
        for (int i = 0; i < count; i++) {
            keep[i] = order[i];
        }
        Arrays.sort(keep);
        return keep;
    }

    /** The first Conv2d/Linear after {@code p} if only shape-preserving-per-channel layers stand between, else -1. */
    private static int consumerOf(List<Module> layers, int p) {
        boolean flattened = false;
        for (int i = p + 1; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof Conv2d conv) {
                return !flattened && conv.config().groups() == 1 ? i : -1;
            }
            if (m instanceof Linear) {
                return layers.get(p) instanceof Linear || flattened ? i : -1;
            }
            if (m instanceof Flatten) {
                flattened = true;
                continue;
            }
            boolean perChannel = m instanceof BatchNorm2d || m instanceof BatchNorm1d || m instanceof ReLU
                    || m instanceof GELU || m instanceof SiLU || m instanceof Tanh || m instanceof Sigmoid
                    || m instanceof MaxPool2d || m instanceof AvgPool2d || m instanceof Dropout;
            if (!perChannel) {
                return -1;
            }
        }
        return -1;
    }

    private static int outputs(Module m) {
        if (m instanceof Conv2d c) {
            return c.config().groups() == 1 ? c.config().outChannels() : -1;
        }
        return m instanceof Linear l ? l.outFeatures() : -1;
    }

    private static int inputsOf(Module m) {
        return m instanceof Conv2d c ? c.config().inChannels() : ((Linear) m).inFeatures();
    }

    private static Tensor weightOf(Module m) {
        return m instanceof Conv2d c ? c.weight() : ((Linear) m).weight();
    }

    private static Tensor inputColumns(int[] keptChannels, int spatial) {
        int[] cols = new int[keptChannels.length * spatial];
        for (int i = 0; i < keptChannels.length; i++) {
            for (int s = 0; s < spatial; s++) {
                cols[i * spatial + s] = keptChannels[i] * spatial + s;
            }
        }
        return Tensor.ofInts(cols, cols.length);
    }

    private static Module shrinkOutputs(Module m, Tensor idx, Rng rng) {
        int n = idx.numel();
        if (m instanceof Conv2d c) {
            Conv2d.Config k = c.config();
            Conv2d out = new Conv2d(new Conv2d.Config(k.inChannels(), n, k.kernel(), k.stride(), k.padding(),
                    k.dilation(), 1, k.bias()), rng);
            out.weight().copyFrom(c.weight().indexSelect(0, idx));
            if (c.bias() != null) {
                out.bias().copyFrom(c.bias().indexSelect(0, idx));
            }
            return out;
        }
        Linear l = (Linear) m;
        Linear out = new Linear(l.inFeatures(), n, l.bias() != null, rng);
        out.weight().copyFrom(l.weight().indexSelect(0, idx));
        if (l.bias() != null) {
            out.bias().copyFrom(l.bias().indexSelect(0, idx));
        }
        return out;
    }

    private static Module shrinkInputs(Module m, Tensor cols, Rng rng) {
        int n = cols.numel();
        if (m instanceof Conv2d c) {
            Conv2d.Config k = c.config();
            Conv2d out = new Conv2d(new Conv2d.Config(n, k.outChannels(), k.kernel(), k.stride(), k.padding(),
                    k.dilation(), 1, k.bias()), rng);
            out.weight().copyFrom(c.weight().indexSelect(1, cols));
            if (c.bias() != null) {
                out.bias().copyFrom(c.bias());
            }
            return out;
        }
        Linear l = (Linear) m;
        Linear out = new Linear(n, l.outFeatures(), l.bias() != null, rng);
        out.weight().copyFrom(l.weight().indexSelect(1, cols));
        if (l.bias() != null) {
            out.bias().copyFrom(l.bias());
        }
        return out;
    }

    /** A batch norm over the kept channels only, with their affine terms and running statistics. */
    private static Module shrinkNorm(Module m, Tensor idx) {
        int n = idx.numel();
        Module out = m instanceof BatchNorm2d b2 ? new BatchNorm2d(resized(b2.config(), n))
                : new BatchNorm1d(resized(((BatchNorm1d) m).config(), n));
        var src = m.stateDict();
        var dst = new java.util.LinkedHashMap<String, Tensor>();
        src.forEach((name, t) -> dst.put(name, t.dim() == 1 ? t.indexSelect(0, idx) : t));
        out.loadStateDict(dst, true);
        return out;
    }

    private static BatchNormConfig resized(BatchNormConfig c, int n) {
        return new BatchNormConfig(n, c.eps(), c.momentum(), c.affine(), c.trackRunningStats());
    }

    private static LayerSpec withOut(LayerSpec spec, int out, int index) {
        return switch (spec) {
            case LayerSpec.Conv2d c -> new LayerSpec.Conv2d(out, c.kernel(), c.stride(), c.padding(), c.bias());
            case LayerSpec.Linear l -> new LayerSpec.Linear(out, l.bias());
            default -> throw new IllegalArgumentException("layer " + index + " is a " + spec.key() + " in the layer "
                    + "list but a conv2d or linear in the model");
        };
    }
}
