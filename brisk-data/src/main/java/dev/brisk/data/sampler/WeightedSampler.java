package dev.brisk.data.sampler;

import dev.brisk.tensor.Rng;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Index i with probability {@code weights[i] / Σ weights}. With replacement: {@code count} independent draws
 * (inverse CDF by binary search). Without replacement: weighted sampling without replacement by the
 * Efraimidis–Spirakis keys {@code -ln(u)/w}, smallest {@code count} first (same distribution as drawing one at a
 * time and renormalizing).
 */
public record WeightedSampler(double[] weights, int count, boolean replacement) implements Sampler {

    public WeightedSampler {
        weights = weights.clone();
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("sampling weight " + i + " is " + weights[i]
                        + "; weights must be finite and ≥ 0");
            }
            sum += weights[i];
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("sampling weights are all zero; at least one must be positive");
        }
        if (count < 1) {
            throw new IllegalArgumentException("WeightedSampler count must be ≥ 1, got " + count);
        }
        long positive = Arrays.stream(weights).filter(w -> w > 0).count();
        if (!replacement && count > positive) {
            throw new IllegalArgumentException("cannot draw " + count + " distinct samples when only " + positive
                    + " have a positive weight — lower the count or sample with replacement");
        }
    }

    @Override
    public int[] indices(int datasetSize, long seed, int epoch) {
        if (weights.length != datasetSize) {
            throw new IllegalArgumentException("WeightedSampler has " + weights.length + " weights but the dataset has "
                    + datasetSize + " samples; give one weight per sample");
        }
        Rng rng = Sampler.epochRng(seed, epoch);
        if (replacement) {
            double[] cdf = new double[weights.length];
            double acc = 0;
            for (int i = 0; i < weights.length; i++) {
                acc += weights[i];
                cdf[i] = acc;
            }
            int[] out = new int[count];
            for (int k = 0; k < count; k++) {
                double u = rng.nextDouble() * acc;
                int i = Arrays.binarySearch(cdf, u);
                i = i >= 0 ? i + 1 : -i - 1; // first entry with cdf > u
                while (i < weights.length - 1 && weights[i] == 0) {
                    i++;
                }
                out[k] = Math.min(i, weights.length - 1);
            }
            return out;
        }
        double[] keys = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            double u = rng.nextDouble();
            keys[i] = weights[i] > 0 ? -Math.log(1 - u) / weights[i] : Double.POSITIVE_INFINITY;
        }
        return IntStream.range(0, weights.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> keys[i]).thenComparing(i -> i))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }
}
