package dev.brisk.train.model;

import dev.brisk.nn.Dropout;
import dev.brisk.nn.GELU;
import dev.brisk.nn.LayerNorm;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.MultiHeadAttention;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;

/**
 * A pre-LayerNorm causal transformer block over {@code (B, T, C)} — brisk-nn's {@code TransformerBlock} with a
 * configurable MLP width and residual dropout (GPT-2):
 * <pre>
 *   x = x + drop(attn(ln1(x)))          attn: causal multi-head self-attention
 *   x = x + drop(mlp(ln2(x)))           mlp = Linear(C, r·C) → GELU → Linear(r·C, C)
 * </pre>
 * Children ln1, attn, ln2, mlp (mlp.0, mlp.1, mlp.2) are named as in {@code TransformerBlock}, so state dicts of the
 * two agree when r = 4; the dropout children (drop1, drop2) exist only when p > 0 and have no state.
 */
public final class DecoderBlock extends Module {

    private final int dModel;
    private final LayerNorm ln1;
    private final MultiHeadAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;
    private final Dropout drop1;
    private final Dropout drop2;

    public DecoderBlock(int dModel, int heads, int mlpRatio, double dropout, Rng rng) {
        this.dModel = dModel;
        this.ln1 = registerModule("ln1", new LayerNorm(dModel));
        this.attn = registerModule("attn", new MultiHeadAttention(dModel, heads, true, rng));
        this.ln2 = registerModule("ln2", new LayerNorm(dModel));
        this.mlp = registerModule("mlp", new Sequential(new Linear(dModel, mlpRatio * dModel, rng), new GELU(),
                new Linear(mlpRatio * dModel, dModel, rng)));
        this.drop1 = dropout > 0 ? registerModule("drop1", new Dropout((float) dropout, rng.split())) : null;
        this.drop2 = dropout > 0 ? registerModule("drop2", new Dropout((float) dropout, rng.split())) : null;
        describe("d_model=" + dModel + ", heads=" + heads + ", mlp_ratio=" + mlpRatio + ", dropout=" + dropout);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(2) != dModel) {
            throw new IllegalArgumentException("DecoderBlock: expected (B, T, " + dModel + "), got "
                    + LayerStack.shape(x.shape()));
        }
        Tensor a = attn.forward(ln1.forward(x));
        Tensor h = x.add(drop1 == null ? a : drop1.forward(a));
        Tensor m = mlp.forward(ln2.forward(h));
        return h.add(drop2 == null ? m : drop2.forward(m));
    }

    public MultiHeadAttention attn() {
        return attn;
    }

    public Sequential mlp() {
        return mlp;
    }
}
