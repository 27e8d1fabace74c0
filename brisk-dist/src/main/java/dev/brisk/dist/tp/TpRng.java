package dev.brisk.dist.tp;

import dev.brisk.tensor.Rng;

/**
 * The two dropout streams of tensor parallelism (Megatron's {@code random.py}). The <em>replicated</em> stream is
 * seeded with {@code seed} on every tensor-parallel rank, so dropout outside the partitioned regions (on the
 * residual stream, which every rank holds whole) drops the same elements everywhere and the replicas stay
 * identical. The <em>partitioned</em> stream is seeded with {@code seed + 2718 + tpRank}, so dropout inside a
 * partitioned region (each rank's own attention heads) is independent across ranks, as it would be across the heads
 * of one dense layer. (Megatron: "2718 is just for fun and any POSITIVE value will work".)
 */
public final class TpRng {

    static final long PARTITIONED_OFFSET = 2718;

    private TpRng() {
    }

    public static Rng replicated(long seed) {
        return new Rng(seed);
    }

    public static Rng partitioned(long seed, int tpRank) {
        return new Rng(seed + PARTITIONED_OFFSET + tpRank);
    }
}
