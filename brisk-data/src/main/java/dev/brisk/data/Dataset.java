package dev.brisk.data;

import dev.brisk.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A random-access dataset: {@link #size()} samples, sample {@code i} by {@link #get(int)}.
 *
 * <p>{@code get} must be deterministic and safe to call from several threads at once (the {@link DataLoader}'s
 * workers do); randomness belongs in a {@link Transform}, which the loader seeds per sample.
 */
public interface Dataset<T> {

    int size();

    /** Sample {@code index}, 0 ≤ index < size(). */
    T get(int index);

    /** The samples at {@code indices} of this dataset, in that order (no copy of the data). */
    default Dataset<T> subset(int... indices) {
        return new Subset<>(this, indices);
    }

    /**
     * Splits this dataset into disjoint random subsets of the given sizes, which must add up to {@link #size()};
     * the same seed gives the same split on every machine.
     */
    default List<Dataset<T>> randomSplit(long seed, int... sizes) {
        long total = Arrays.stream(sizes).asLongStream().sum();
        if (Arrays.stream(sizes).anyMatch(s -> s < 0) || total != size()) {
            throw new IllegalArgumentException("randomSplit: sizes " + Arrays.toString(sizes) + " must be non-negative"
                    + " and add up to the dataset size " + size() + " (they add up to " + total + ")");
        }
        int[] order = new Rng(Seeds.derive(seed, Seeds.SPLIT)).permutation(size());
        List<Dataset<T>> parts = new ArrayList<>(sizes.length);
        int start = 0;
        for (int s : sizes) {
            parts.add(subset(Arrays.copyOfRange(order, start, start + s)));
            start += s;
        }
        return List.copyOf(parts);
    }

    /**
     * Splits into random subsets holding the given fractions of the samples (which must add up to 1); rounding
     * remainders go to the first parts.
     */
    default List<Dataset<T>> randomSplit(long seed, double... fractions) {
        double sum = Arrays.stream(fractions).sum();
        if (Arrays.stream(fractions).anyMatch(f -> !(f >= 0)) || Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("randomSplit: fractions " + Arrays.toString(fractions)
                    + " must be non-negative and add up to 1 (they add up to " + sum + ")");
        }
        int[] sizes = new int[fractions.length];
        int assigned = 0;
        for (int i = 0; i < fractions.length; i++) {
            sizes[i] = (int) Math.floor(fractions[i] * size());
            assigned += sizes[i];
        }
        for (int i = 0; assigned < size(); i = (i + 1) % sizes.length) {
            if (fractions[i] > 0) {
                sizes[i]++;
                assigned++;
            }
        }
        return randomSplit(seed, sizes);
    }
}
