package dev.brisk.data.sampler;

/**
 * Rank {@code rank}'s shard for data-parallel training over {@code world} ranks. Every rank computes the same
 * epoch order (a shared-seed permutation when {@code shuffle}, else 0..n-1), pads it by wrapping around to a
 * multiple of {@code world}, and takes every {@code world}-th entry starting at {@code rank}: shards are
 * disjoint apart from the padding, together cover the dataset, and all have ⌈n / world⌉ entries so ranks step
 * in lockstep.
 */
public record DistributedSampler(int rank, int world, boolean shuffle) implements Sampler {

    public DistributedSampler {
        if (world < 1 || rank < 0 || rank >= world) {
            throw new IllegalArgumentException("distributed sampler needs 0 ≤ rank < world and world ≥ 1, got rank "
                    + rank + " of world " + world);
        }
    }

    @Override
    public int[] indices(int datasetSize, long seed, int epoch) {
        if (datasetSize == 0) {
            return new int[0];
        }
        int[] order = shuffle ? Sampler.epochRng(seed, epoch).permutation(datasetSize)
                : new SequentialSampler().indices(datasetSize, seed, epoch);
        int perRank = (datasetSize + world - 1) / world;
        int[] shard = new int[perRank];
        for (int k = 0; k < perRank; k++) {
            shard[k] = order[(rank + k * world) % datasetSize];
        }
        return shard;
    }
}
