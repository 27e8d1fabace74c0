package dev.brisk.nn;

import java.util.Objects;

/**
 * Which blocks {@link Checkpointing#apply} wraps in {@link Checkpointed}: the config value
 * {@code memory.checkpoint: none | blocks | every:<k>}.
 * <ul>
 *   <li>{@code none}: nothing (the default);</li>
 *   <li>{@code blocks}: every block (every child of the block list, see {@link Checkpointing});</li>
 *   <li>{@code every:<k>}: every k-th block, counting from 1: blocks k, 2k, 3k, … (indices k−1, 2k−1, …);
 *       {@code every:1} is {@code blocks}. Fewer checkpointed blocks keep more memory and recompute less.</li>
 * </ul>
 */
public sealed interface CheckpointPolicy {

    /** True when the block at {@code index} (0-based) of a list of {@code count} is to be checkpointed. */
    boolean selects(int index, int count);

    record None() implements CheckpointPolicy {
        @Override
        public boolean selects(int index, int count) {
            return false;
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    record Blocks() implements CheckpointPolicy {
        @Override
        public boolean selects(int index, int count) {
            return true;
        }

        @Override
        public String toString() {
            return "blocks";
        }
    }

    record Every(int k) implements CheckpointPolicy {
        public Every {
            if (k < 1) {
                throw new IllegalArgumentException("memory.checkpoint: every:<k> needs k ≥ 1, got " + k
                        + " (every:1 checkpoints every block; use none to turn checkpointing off)");
            }
        }

        @Override
        public boolean selects(int index, int count) {
            return (index + 1) % k == 0;
        }

        @Override
        public String toString() {
            return "every:" + k;
        }
    }

    /** Parses {@code none}, {@code blocks} or {@code every:<k>} (k a positive integer); the error says the form. */
    public static CheckpointPolicy parse(String text) {
        Objects.requireNonNull(text, "memory.checkpoint");
        String s = text.strip();
        if (s.equals("none")) {
            return new None();
        }
        if (s.equals("blocks")) {
            return new Blocks();
        }
        if (s.startsWith("every:")) {
            String k = s.substring("every:".length()).strip();
            try {
                return new Every(Integer.parseInt(k));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("memory.checkpoint: every:<k> needs an integer k, got '" + k
                        + "' (e.g. every:2)");
            }
        }
        throw new IllegalArgumentException("memory.checkpoint: expected none, blocks or every:<k> (e.g. every:2),"
                + " got '" + text + "'");
    }
}
