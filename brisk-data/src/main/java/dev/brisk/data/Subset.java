package dev.brisk.data;

import java.util.Objects;

/** The samples of {@code base} at {@code indices}, in that order; shares the base's data. */
public record Subset<T>(Dataset<T> base, int[] indices) implements Dataset<T> {

    public Subset {
        Objects.requireNonNull(base, "base");
        indices = indices.clone();
        int n = base.size();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IllegalArgumentException("subset index " + indices[i] + " (position " + i
                        + ") is outside the base dataset of " + n + " samples");
            }
        }
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public T get(int index) {
        return base.get(indices[Objects.checkIndex(index, indices.length)]);
    }
}
