package dev.brisk.nn;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;

/**
 * A pre-LayerNorm transformer block over {@code (B, T, C)} (GPT-2):
 * <pre>
 *   x = x + attn(ln1(x))
 *   x = x + mlp(ln2(x))      mlp = Linear(C, 4C) → GELU → Linear(4C, C)
 * </pre>
 * Children: ln1, attn ({@link MultiHeadAttention}), ln2, mlp ({@link Sequential}: mlp.0, mlp.1, mlp.2), each with
 * its layer's default initialisation.
 */
public final class TransformerBlock extends Module {

    private final int embedDim;
    private final LayerNorm ln1;
    private final MultiHeadAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;

    public TransformerBlock(int embedDim, int numHeads, boolean causal, Rng rng) {
        this.embedDim = Checks.positive("TransformerBlock", "embedDim", embedDim);
        this.ln1 = registerModule("ln1", new LayerNorm(embedDim));
        this.attn = registerModule("attn", new MultiHeadAttention(embedDim, numHeads, causal, rng));
        this.ln2 = registerModule("ln2", new LayerNorm(embedDim));
        this.mlp = registerModule("mlp", new Sequential(new Linear(embedDim, 4 * embedDim, rng), new GELU(),
                new Linear(4 * embedDim, embedDim, rng)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Checks.rank("TransformerBlock", x, "(B, T, " + embedDim + ")", 3);
        Checks.size("TransformerBlock", x, 2, embedDim, "(B, T, " + embedDim + ")");
        Tensor h = x.add(attn.forward(ln1.forward(x)));
        return h.add(mlp.forward(ln2.forward(h)));
    }

    public MultiHeadAttention attn() {
        return attn;
    }

    public Sequential mlp() {
        return mlp;
    }
}
