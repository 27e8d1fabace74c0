package dev.brisk.train.model;

import dev.brisk.nn.Dropout;
import dev.brisk.nn.Embedding;
import dev.brisk.nn.LayerNorm;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.nn.init.Init;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.TransformerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte-level causal language model of BENCHMARKS.md ({@code transformer}): tokens {@code (B, T)} I64 to logits
 * {@code (B, T, vocab)}.
 * <pre>
 *   x = tok_emb(tokens) + pos_emb(0..T−1)        (B, T, C)      learned positions, T ≤ seq_len
 *   x = drop(x)                                                 only when dropout > 0
 *   x = blocks(x)                                (B, T, C)      {@link TransformerBlock} × blocks, causal
 *   logits = head(ln_f(x))                       (B, T, vocab)  head: Linear(C, vocab, no bias), or tok_embᵀ if tied
 * </pre>
 * Initialisation (GPT-2): embeddings and Linear weights N(0, 0.02), biases 0, the residual projections (attn.proj,
 * mlp.2) N(0, 0.02/√(2·blocks)); LayerNorm weight 1, bias 0.
 */
public final class ByteLm extends Module {

    private final TransformerConfig config;
    private final Embedding tokEmb;
    private final Embedding posEmb;
    private final Dropout drop;
    private final Sequential blocks;
    private final LayerNorm lnF;
    private final Linear head;

    public ByteLm(TransformerConfig config, Rng rng) {
        this.config = config;
        int c = config.dModel();
        this.tokEmb = registerModule("tok_emb", new Embedding(config.vocab(), c, rng));
        this.posEmb = registerModule("pos_emb", new Embedding(config.seqLen(), c, rng));
        this.drop = config.dropout() > 0 ? registerModule("drop", new Dropout((float) config.dropout(), rng.split()))
                : null;
        List<Module> list = new ArrayList<>();
        for (int i = 0; i < config.blocks(); i++) {
            list.add(new TransformerBlock(c, config.heads(), true, config.mlpRatio(), config.dropout(), rng));
        }
        this.blocks = registerModule("blocks", new Sequential(list));
        this.lnF = registerModule("ln_f", new LayerNorm(c));
        this.head = config.tied() ? null : registerModule("head", new Linear(c, config.vocab(), false, rng));
        initGpt2(rng);
        describe("vocab=" + config.vocab() + ", d_model=" + c + ", blocks=" + config.blocks() + ", heads="
                + config.heads() + ", seq_len=" + config.seqLen() + ", tied=" + config.tied());
    }

    private void initGpt2(Rng rng) {
        double residualStd = 0.02 / Math.sqrt(2.0 * config.blocks());
        try (var _ = GradMode.noGrad()) {
            namedParameters().forEach((name, p) -> {
                if (name.startsWith("ln") || name.contains(".ln")) {
                    return; // LayerNorm: ones and zeros already
                }
                if (name.endsWith(".bias")) {
                    Init.zeros(p);
                } else if (name.endsWith("attn.proj.weight") || name.endsWith("mlp.2.weight")) {
                    Init.normal(p, 0, residualStd, rng);
                } else {
                    Init.normal(p, 0, 0.02, rng);
                }
            });
        }
    }

    @Override
    public Tensor forward(Tensor tokens) {
        if (tokens.dim() != 2 || tokens.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("ByteLm: expected tokens (B, T) of an integer type, got "
                    + tokens.dtype() + " " + LayerStack.shape(tokens.shape()));
        }
        int t = tokens.size(1);
        if (t > config.seqLen()) {
            throw new IllegalArgumentException("ByteLm: sequence of " + t + " tokens is longer than seq_len "
                    + config.seqLen() + " (the position table); shorten data.seq_len or raise model.seq_len");
        }
        // (B, T) -> (B, T, C) + (T, C)
        Tensor x = tokEmb.forward(tokens).add(posEmb.forward(Tensor.arange(DType.I64, 0, t, 1)));
        if (drop != null) {
            x = drop.forward(x);
        }
        x = lnF.forward(blocks.forward(x));
        // (B, T, C) -> (B, T, vocab)
        return head != null ? head.forward(x) : x.matmul(tokEmb.weight().t());
    }

    public TransformerConfig config() {
        return config;
    }

    /** The blocks, in order (for activation checkpointing). */
    public Sequential blocks() {
        return blocks;
    }

    public Embedding tokenEmbedding() {
        return tokEmb;
    }
}
