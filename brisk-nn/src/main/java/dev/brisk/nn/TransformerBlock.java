package dev.brisk.nn;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;

/**
 * A pre-LayerNorm transformer block over {@code (B, T, C)} (GPT-2):
 * <pre>
 *   x = x + drop(attn(ln1(x)))
 *   x = x + drop(mlp(ln2(x)))      mlp = Linear(C, r·C) → GELU → Linear(r·C, C), r = mlpRatio (default 4)
 * </pre>
 * Children: ln1, attn ({@link MultiHeadAttention}), ln2, mlp ({@link Sequential}: mlp.0, mlp.1, mlp.2), each with
 * its layer's default initialisation, and the residual dropouts drop1, drop2 only when p > 0 (their only state is
 * their RNG).
 */
public final class TransformerBlock extends Module {

    private final int embedDim;
    private final LayerNorm ln1;
    private final MultiHeadAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;
    private final Dropout drop1;
    private final Dropout drop2;

    /** The GPT-2 block: MLP 4× wide, no dropout. */
    public TransformerBlock(int embedDim, int numHeads, boolean causal, Rng rng) {
        this(embedDim, numHeads, causal, 4, 0, rng);
    }

    public TransformerBlock(int embedDim, int numHeads, boolean causal, int mlpRatio, double dropout, Rng rng) {
        this.embedDim = Checks.positive("TransformerBlock", "embedDim", embedDim);
        Checks.positive("TransformerBlock", "mlpRatio", mlpRatio);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("TransformerBlock: dropout must be in [0, 1), got " + dropout);
        }
        this.ln1 = registerModule("ln1", new LayerNorm(embedDim));
        this.attn = registerModule("attn", new MultiHeadAttention(embedDim, numHeads, causal, rng));
        this.ln2 = registerModule("ln2", new LayerNorm(embedDim));
        this.mlp = registerModule("mlp", new Sequential(new Linear(embedDim, mlpRatio * embedDim, rng), new GELU(),
                new Linear(mlpRatio * embedDim, embedDim, rng)));
        this.drop1 = dropout > 0 ? registerModule("drop1", new Dropout((float) dropout, rng.split())) : null;
        this.drop2 = dropout > 0 ? registerModule("drop2", new Dropout((float) dropout, rng.split())) : null;
        if (mlpRatio != 4 || dropout > 0) {
            describe("mlp_ratio=" + mlpRatio + ", dropout=" + dropout);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Checks.rank("TransformerBlock", x, "(B, T, " + embedDim + ")", 3);
        Checks.size("TransformerBlock", x, 2, embedDim, "(B, T, " + embedDim + ")");
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
