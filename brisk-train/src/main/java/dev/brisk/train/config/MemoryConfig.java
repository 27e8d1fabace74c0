package dev.brisk.train.config;

import java.util.Locale;
import java.util.Objects;

/**
 * Memory-saving switches (section {@code memory}; {@code memory: blocks} is short for
 * {@code memory: {checkpoint: blocks}}).
 *
 * @param checkpoint {@code memory.checkpoint}: activation checkpointing — none (default) keeps every activation for
 *                   backward; blocks keeps only each transformer block's input and recomputes the block in backward
 */
public record MemoryConfig(Checkpointing checkpoint) {

    public enum Checkpointing {
        NONE, BLOCKS;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MemoryConfig {
        Objects.requireNonNull(checkpoint, "memory.checkpoint");
    }

    public static MemoryConfig defaults() {
        return new MemoryConfig(Checkpointing.NONE);
    }
}
