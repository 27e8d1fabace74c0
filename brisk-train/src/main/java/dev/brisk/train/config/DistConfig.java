package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import java.util.Locale;
import java.util.Objects;

/**
 * Data-parallel settings (section {@code dist}), used when the run is launched on several processes
 * ({@code brisk launch}); a single process ignores them.
 *
 * @param zero        {@code dist.zero}: 0 (default) plain DDP; 1 shards the optimizer state across ranks (ZeRO
 *                    stage 1); 2 shards the gradients too (stage 2). Elementwise optimizers only (not lamb or lars)
 * @param compression {@code dist.compression}: how gradient buckets travel: none (default, F32), bf16, fp16, or
 *                    topk (the largest entries, with error feedback); plain DDP only
 * @param topkRatio   {@code dist.topk_ratio}: the fraction of each bucket top-k sends, in (0, 1]; default 0.01
 */
public record DistConfig(int zero, Compression compression, double topkRatio) {

    public enum Compression {
        NONE, BF16, FP16, TOPK;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DistConfig {
        Objects.requireNonNull(compression, "dist.compression");
        check(zero >= 0 && zero <= 2, "dist.zero", "must be 0 (off), 1 (shard optimizer state) or 2 (and "
                + "gradients), got " + zero);
        check(topkRatio > 0 && topkRatio <= 1, "dist.topk_ratio", "must be in (0, 1], got " + topkRatio);
        check(zero == 0 || compression == Compression.NONE, "dist.compression", "gradient compression works with "
                + "plain data parallelism only; use dist.zero=0 or dist.compression=none");
    }

    public DistConfig(int zero) {
        this(zero, Compression.NONE, 0.01);
    }

    public static DistConfig defaults() {
        return new DistConfig(0);
    }
}
