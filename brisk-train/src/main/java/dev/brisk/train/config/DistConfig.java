package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * Data-parallel settings (section {@code dist}), used when the run is launched on several processes
 * ({@code brisk launch}); a single process ignores them.
 *
 * @param zero {@code dist.zero}: 0 (default) plain DDP; 1 shards the optimizer state across ranks (ZeRO stage 1);
 *             2 shards the gradients too (stage 2). Elementwise optimizers only (not lamb or lars)
 */
public record DistConfig(int zero) {

    public DistConfig {
        check(zero >= 0 && zero <= 2, "dist.zero", "must be 0 (off), 1 (shard optimizer state) or 2 (and "
                + "gradients), got " + zero);
    }

    public static DistConfig defaults() {
        return new DistConfig(0);
    }
}
