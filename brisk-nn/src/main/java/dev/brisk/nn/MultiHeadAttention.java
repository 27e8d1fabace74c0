package dev.brisk.nn;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Attention;

/**
 * Multi-head self-attention over {@code (B, T, C)}, GPT-style: one fused projection {@code qkv} (C → 3C), split
 * into H heads of size {@code hs = C/H}, {@code softmax(q·kᵀ/√hs [+ causal mask])·v} per head
 * ({@link Attention#scaledDotProduct}), heads concatenated, then the output projection {@code proj} (C → C).
 * With {@code causal}, position t attends only to positions ≤ t.
 *
 * <p>Both projections are {@link Linear} layers with Linear's default initialisation.
 */
public final class MultiHeadAttention extends Module {

    private final int embedDim;
    private final int numHeads;
    private final boolean causal;
    private final Linear qkv;
    private final Linear proj;

    public MultiHeadAttention(int embedDim, int numHeads, boolean causal, Rng rng) {
        Checks.positive("MultiHeadAttention", "embedDim", embedDim);
        Checks.positive("MultiHeadAttention", "numHeads", numHeads);
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim " + embedDim
                    + " must be divisible by numHeads " + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.causal = causal;
        this.qkv = registerModule("qkv", new Linear(embedDim, 3 * embedDim, rng));
        this.proj = registerModule("proj", new Linear(embedDim, embedDim, rng));
        describe("embed_dim=" + embedDim + ", num_heads=" + numHeads + ", causal=" + causal);
    }

    @Override
    public Tensor forward(Tensor x) {
        Checks.rank("MultiHeadAttention", x, "(B, T, " + embedDim + ")", 3);
        Checks.size("MultiHeadAttention", x, 2, embedDim, "(B, T, " + embedDim + ")");
        int b = x.size(0);
        int t = x.size(1);
        int hs = embedDim / numHeads;
        // (B, T, C) -> (B, T, 3C) -> (B, T, 3, H, hs) -> (3, B, H, T, hs)
        Tensor heads = qkv.forward(x).view(b, t, 3, numHeads, hs).permute(2, 0, 3, 1, 4);
        Tensor q = heads.select(0, 0).contiguous();
        Tensor k = heads.select(0, 1).contiguous();
        Tensor v = heads.select(0, 2).contiguous();
        // (B, H, T, hs) -> (B, T, H, hs) -> (B, T, C)
        Tensor y = Attention.scaledDotProduct(q, k, v, causal, (float) (1 / Math.sqrt(hs)));
        return proj.forward(y.transpose(1, 2).reshape(b, t, embedDim));
    }

    public Linear qkv() {
        return qkv;
    }

    public Linear proj() {
        return proj;
    }
}
