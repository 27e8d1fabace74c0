package dev.brisk.data.sampler;

import java.util.stream.IntStream;

/** Visits 0, 1, ..., n-1 in order every epoch. */
public record SequentialSampler() implements Sampler {

    @Override
    public int[] indices(int datasetSize, long seed, int epoch) {
        return IntStream.range(0, datasetSize).toArray();
    }
}
