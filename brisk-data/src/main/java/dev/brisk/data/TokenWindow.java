package dev.brisk.data;

import java.util.Objects;

/**
 * T+1 consecutive bytes of text for a causal language model: inputs are {@code bytes[0..T)}, targets (the next
 * token at each position) {@code bytes[1..T]}.
 */
public record TokenWindow(byte[] bytes) {

    public TokenWindow {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < 2) {
            throw new IllegalArgumentException("a token window needs at least 2 bytes (T+1 with T ≥ 1), got "
                    + bytes.length);
        }
    }

    /** The sequence length T. */
    public int length() {
        return bytes.length - 1;
    }
}
