package dev.brisk.data.sampler;

import dev.brisk.data.Seeds;
import dev.brisk.tensor.Rng;

/**
 * Chooses which dataset indices an epoch visits, in order. The order is a pure function of
 * {@code (dataset size, seed, epoch)}: epoch e of seed s is the same on every run and machine.
 */
public sealed interface Sampler permits SequentialSampler, RandomSampler, WeightedSampler, DistributedSampler {

    /** The dataset indices for {@code epoch}, each in [0, datasetSize). */
    int[] indices(int datasetSize, long seed, int epoch);

    /** 0, 1, ..., n-1 every epoch. */
    static Sampler sequential() {
        return new SequentialSampler();
    }

    /** A fresh random permutation of the whole dataset every epoch. */
    static Sampler shuffled() {
        return new RandomSampler(false, 0);
    }

    /** {@code count} uniformly random indices per epoch, with or without replacement. */
    static Sampler random(boolean replacement, int count) {
        return new RandomSampler(replacement, count);
    }

    /** {@code count} indices per epoch drawn with probability proportional to {@code weights[i]}. */
    static Sampler weighted(double[] weights, int count, boolean replacement) {
        return new WeightedSampler(weights, count, replacement);
    }

    /** This rank's shard of a per-epoch shuffle shared by all {@code world} ranks (same seed on every rank). */
    static Sampler distributed(int rank, int world, boolean shuffle) {
        return new DistributedSampler(rank, world, shuffle);
    }

    /** The generator for one epoch's order. */
    static Rng epochRng(long seed, int epoch) {
        return new Rng(Seeds.derive(seed, Seeds.SAMPLER, epoch));
    }
}
