package dev.brisk.train.model;

import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.MultiHeadAttention;
import dev.brisk.nn.Residual;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.TransformerConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model FLOPs per sample for MFU: the matrix products only, 2 FLOPs per multiply-add — Linear
 * (2·in·out per row), Conv2d (2·in/groups·kh·kw per output element) and attention (2·T·C·3C for qkv, 2·T²·C for
 * q·kᵀ and again for the weighted sum of v, 2·T·C² for the output projection; the full T×T, causal or not, as
 * usually quoted). Elementwise ops, norms, pooling, softmax and embedding lookups are not counted. Training costs
 * ≈ 3× forward (backward computes two products per forward product): {@link #trainingFlopsPerSample}.
 *
 * <p>Shapes are found by running one zero sample through the model in eval mode without grad (the modes are
 * restored afterwards; batch-norm statistics are not touched). {@link ByteLm} is counted from its config.
 */
public final class ModelFlops {

    private ModelFlops() {}

    /**
     * Forward FLOPs for one sample of {@code sampleShape} (no batch dim). For {@link ByteLm} a sample is one
     * sequence of {@code sampleShape[0]} tokens.
     *
     * @throws IllegalArgumentException for a module type whose data flow it cannot follow (a custom container
     *                                  holding Linear/Conv2d layers)
     */
    public static long forwardFlopsPerSample(Module model, int[] sampleShape) {
        if (model instanceof ByteLm lm) {
            return byteLm(lm.config(), sampleShape[0]);
        }
        Map<Module, Boolean> modes = new LinkedHashMap<>();
        model.namedModules().values().forEach(m -> modes.put(m, m.isTraining()));
        model.eval();
        int[] batched = new int[sampleShape.length + 1];
        batched[0] = 1;
        System.arraycopy(sampleShape, 0, batched, 1, sampleShape.length);
        try (var _ = GradMode.noGrad()) {
            return walk(model, Tensor.zeros(batched)).flops;
        } finally {
            modes.forEach((m, training) -> m.train(training)); // parents first, so each ends with its own mode
        }
    }

    /** 3 × {@link #forwardFlopsPerSample}. */
    public static long trainingFlopsPerSample(Module model, int[] sampleShape) {
        return 3 * forwardFlopsPerSample(model, sampleShape);
    }

    /** Forward FLOPs of the byte LM for one sequence of {@code t} tokens. */
    public static long byteLm(TransformerConfig c, int t) {
        long d = c.dModel();
        long perBlock = attentionFlops(t, d) + 2L * t * d * (c.mlpRatio() * d) * 2;
        return c.blocks() * perBlock + 2L * t * d * c.vocab();
    }

    /** qkv, q·kᵀ, weights·v and the output projection for one sequence of T tokens of width C. */
    public static long attentionFlops(long t, long c) {
        return 2 * t * c * 3 * c + 2 * 2 * t * t * c + 2 * t * c * c;
    }

    private record Step(long flops, Tensor out) {}

    private static Step walk(Module m, Tensor x) {
        switch (m) {
            case Sequential s -> {
                long flops = 0;
                for (Module layer : s.layers()) {
                    Step st = walk(layer, x);
                    flops += st.flops;
                    x = st.out;
                }
                return new Step(flops, x);
            }
            case Linear l -> {
                long rows = x.numel() / l.inFeatures();
                return new Step(2L * rows * l.inFeatures() * l.outFeatures(), l.forward(x));
            }
            case Conv2d c -> {
                Tensor y = c.forward(x);
                int[] k = c.config().kernel();
                long perOutput = (long) c.config().inChannels() / c.config().groups() * k[0] * k[1];
                return new Step(2L * perOutput * y.numel(), y);
            }
            case MultiHeadAttention a -> {
                return new Step(attention(x), a.forward(x));
            }
            case TransformerBlock b -> {
                return new Step(attention(x) + walk(b.mlp(), x).flops, b.forward(x));
            }
            case Residual r -> {
                return new Step(walk(r.fn(), x).flops, r.forward(x));
            }
            default -> {
                boolean hidden = m.namedModules().values().stream().anyMatch(c -> c instanceof Linear
                        || c instanceof Conv2d || c instanceof MultiHeadAttention);
                if (hidden) {
                    throw new IllegalArgumentException("ModelFlops: cannot follow the data flow inside "
                            + m.getClass().getSimpleName() + " to count its Linear/Conv2d/attention FLOPs; build "
                            + "the model from Sequential, Residual and the brisk-nn layers, or count it by hand");
                }
                return new Step(0, m.forward(x));
            }
        }
    }

    /** Attention FLOPs for input (B, T, C), summed over the batch. */
    private static long attention(Tensor x) {
        return x.size(0) * attentionFlops(x.size(1), x.size(2));
    }
}
