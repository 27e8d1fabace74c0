package dev.brisk.data.sampler;

import dev.brisk.tensor.Rng;
import java.util.Arrays;

/**
 * Uniformly random indices: without replacement the first {@code count} entries of a fresh permutation, with
 * replacement {@code count} independent draws. {@code count} 0 means the dataset size.
 */
public record RandomSampler(boolean replacement, int count) implements Sampler {

    public RandomSampler {
        if (count < 0) {
            throw new IllegalArgumentException("RandomSampler count must be ≥ 0 (0 = the dataset size), got " + count);
        }
    }

    @Override
    public int[] indices(int datasetSize, long seed, int epoch) {
        int n = count == 0 ? datasetSize : count;
        Rng rng = Sampler.epochRng(seed, epoch);
        if (replacement) {
            if (datasetSize == 0 && n > 0) {
                throw new IllegalArgumentException("cannot draw " + n + " samples from an empty dataset");
            }
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = rng.nextInt(datasetSize);
            }
            return out;
        }
        if (n > datasetSize) {
            throw new IllegalArgumentException("cannot draw " + n + " distinct samples from a dataset of "
                    + datasetSize + " — lower the count or sample with replacement");
        }
        return Arrays.copyOf(rng.permutation(datasetSize), n);
    }
}
