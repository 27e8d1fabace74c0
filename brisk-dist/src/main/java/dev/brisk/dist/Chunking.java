package dev.brisk.dist;

/**
 * How a flat buffer of {@code count} elements is split into {@code parts} chunks for reduce-scatter and
 * all-gather: chunk {@code i} is {@code [start(i), end(i))} with every chunk {@code ⌈count/parts⌉} long except
 * that the last ones may be shorter or empty. When {@code count} is a multiple of {@code parts} (the layout
 * ZeRO pads to) every chunk has exactly {@code count/parts} elements. After a reduce-scatter rank {@code r}
 * holds chunk {@code r}; an all-gather takes chunk {@code r} from rank {@code r}.
 */
public record Chunking(int count, int parts) {

    public Chunking {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be >= 1, got " + parts);
        }
    }

    /** The length of the longest chunk, {@code ⌈count/parts⌉}. */
    public int maxLength() {
        return (int) (((long) count + parts - 1) / parts);
    }

    public int start(int i) {
        return (int) Math.min((long) i * maxLength(), count);
    }

    public int end(int i) {
        return (int) Math.min((long) (i + 1) * maxLength(), count);
    }

    public int length(int i) {
        return end(i) - start(i);
    }
}
