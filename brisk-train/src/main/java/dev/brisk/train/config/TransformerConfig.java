package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * The shape of the {@code transformer} preset, a byte-level causal language model (BENCHMARKS.md): token embedding
 * plus learned positions, {@code blocks} pre-LayerNorm blocks, a final LayerNorm and an output head over the
 * vocabulary. YAML: {@code model: {preset: transformer, blocks: 2, d_model: 128, ...}}.
 *
 * @param blocks   {@code model.blocks}, transformer blocks, 1..1024; default 2
 * @param dModel   {@code model.d_model}, the width C, ≥ 1 and divisible by {@code heads}; default 128
 * @param heads    {@code model.heads}, attention heads, ≥ 1; default 4
 * @param seqLen   {@code model.seq_len}, positions in the learned position table (the longest sequence the model
 *                 accepts); default {@code data.seq_len}, else 64
 * @param vocab    {@code model.vocab}, tokens, 2..65536; default 256 (bytes)
 * @param mlpRatio {@code model.mlp_ratio}, the MLP's hidden width in multiples of C, 1..64; default 4
 * @param tied     {@code model.tied}, share the token embedding with the output head; default false
 * @param dropout  {@code model.dropout}, dropout after the embeddings and on each residual branch, in [0, 1);
 *                 default 0
 */
public record TransformerConfig(int blocks, int dModel, int heads, int seqLen, int vocab, int mlpRatio, boolean tied,
                                double dropout) {

    public static final int DEFAULT_SEQ_LEN = 64;

    public TransformerConfig {
        check(blocks >= 1 && blocks <= 1024, "model.blocks", "must be in 1..1024, got " + blocks);
        check(dModel >= 1, "model.d_model", "must be ≥ 1, got " + dModel);
        check(heads >= 1, "model.heads", "must be ≥ 1, got " + heads);
        check(dModel % heads == 0, "model.heads", "d_model " + dModel + " is not divisible by heads " + heads
                + "; pick heads that divide d_model (e.g. " + largestDivisorUpTo(dModel, heads) + ")");
        check(seqLen >= 1, "model.seq_len", "must be ≥ 1, got " + seqLen);
        check(vocab >= 2 && vocab <= 65536, "model.vocab", "must be in 2..65536, got " + vocab);
        check(mlpRatio >= 1 && mlpRatio <= 64, "model.mlp_ratio", "must be in 1..64, got " + mlpRatio);
        check(dropout >= 0 && dropout < 1, "model.dropout", "must be in [0, 1), got " + dropout);
    }

    /** The BENCHMARKS.md {@code transformer} workload: 2 blocks, C 128, 4 heads, 64 positions, 256 tokens, untied. */
    public static TransformerConfig defaults() {
        return new TransformerConfig(2, 128, 4, DEFAULT_SEQ_LEN, 256, 4, false, 0);
    }

    private static int largestDivisorUpTo(int n, int max) {
        for (int d = Math.min(n, max); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }
}
