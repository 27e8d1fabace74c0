package dev.brisk.dist.tp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.LayerNorm;
import dev.brisk.nn.Module;
import dev.brisk.nn.MultiHeadAttention;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Map;

/**
 * A tensor-parallel pre-LayerNorm transformer block, the same computation as {@link TransformerBlock}:
 * <pre>
 *   x = x + drop1(attn(ln1(x)))      attn: heads split over the group ({@link TpAttention})
 *   x = x + drop2(mlp(ln2(x)))       mlp: column- then row-parallel ({@link TpMlp})
 * </pre>
 * Two all-reduces forward and two backward per block. The layer norms, residuals and residual dropouts are
 * replicated: every rank holds them whole and computes them on identical inputs, so their gradients agree across
 * ranks without communication, and the residual dropouts must draw from the replicated stream ({@link TpRng}) —
 * sharding a dense block copies its dropout generator state, so all ranks drop the same elements as the dense block.
 */
public final class TpTransformerBlock extends Module {

    private final LayerNorm ln1;
    private final TpAttention attn;
    private final LayerNorm ln2;
    private final TpMlp mlp;
    private final Dropout drop1;
    private final Dropout drop2;

    private TpTransformerBlock(LayerNorm ln1, TpAttention attn, LayerNorm ln2, TpMlp mlp, Dropout drop1,
                               Dropout drop2) {
        this.ln1 = registerModule("ln1", ln1);
        this.attn = registerModule("attn", attn);
        this.ln2 = registerModule("ln2", ln2);
        this.mlp = registerModule("mlp", mlp);
        this.drop1 = drop1 == null ? null : registerModule("drop1", drop1);
        this.drop2 = drop2 == null ? null : registerModule("drop2", drop2);
    }

    /**
     * This rank's shard of {@code dense} (built with {@code numHeads} heads and {@code causal}): the Megatron CPU
     * initialisation path — initialise the whole block with one generator, then split — so the result does not
     * depend on the tensor-parallel size. {@code headDropout} (0 for none) applies to each rank's attention head
     * outputs, drawing from {@code TpRng.partitioned(seed, rank)}.
     */
    public static TpTransformerBlock shard(TransformerBlock dense, int numHeads, boolean causal, ProcessGroup group,
                                           double headDropout, long seed) {
        Map<String, Module> parts = dense.namedChildren();
        int c = ((LayerNorm) parts.get("ln1")).weight().size(0);
        Rng partitioned = TpRng.partitioned(seed, group.rank());
        return new TpTransformerBlock(copyNorm(parts.get("ln1"), c),
                TpAttention.shard((MultiHeadAttention) parts.get("attn"), numHeads, causal, group, headDropout,
                        partitioned),
                copyNorm(parts.get("ln2"), c), TpMlp.shard((Sequential) parts.get("mlp"), group),
                copyDropout(parts.get("drop1")), copyDropout(parts.get("drop2")));
    }

    private static LayerNorm copyNorm(Module dense, int c) {
        LayerNorm ln = new LayerNorm(c);
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        dense.stateDict().forEach((k, v) -> state.put(k, TpShards.copyOf(v)));
        ln.loadStateDict(state, true);
        return ln;
    }

    private static Dropout copyDropout(Module dense) {
        if (dense == null) {
            return null;
        }
        Dropout d = (Dropout) dense;
        // same generator state: the replicated stream, identical on every rank and to the dense block's
        long[] state = d.stateDict().get("rng_state").toLongArray();
        return new Dropout(d.p(), Rng.fromState(state));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor a = attn.forward(ln1.forward(x));
        Tensor h = x.add(drop1 == null ? a : drop1.forward(a));
        Tensor m = mlp.forward(ln2.forward(h));
        return h.add(drop2 == null ? m : drop2.forward(m));
    }

    public TpAttention attn() {
        return attn;
    }

    public TpMlp mlp() {
        return mlp;
    }
}
