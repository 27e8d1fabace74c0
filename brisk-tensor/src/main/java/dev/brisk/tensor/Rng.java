package dev.brisk.tensor;

import java.util.SplittableRandom;

/**
 * A seeded, splittable random generator (SplitMix64, whose output the JDK specifies exactly), so a seed gives
 * the same numbers on every JVM and {@link #split()} hands independent streams to workers deterministically.
 */
public final class Rng {

    private final SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** A new independent generator; the sequence of splits is itself deterministic. */
    public Rng split() {
        return new Rng(random.split());
    }

    /** Uniform in [0, 1). */
    public float nextFloat() {
        return random.nextFloat();
    }

    public double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal by the polar Box–Muller method (spelled out here so it never changes under us). */
    public double nextGaussian() {
        double u, v, s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** Fills with uniform values in [lo, hi). */
    public void fillUniform(float[] a, float lo, float hi) {
        for (int i = 0; i < a.length; i++) {
            a[i] = lo + (hi - lo) * random.nextFloat();
        }
    }

    /** Fills with normal values of the given mean and standard deviation. */
    public void fillNormal(float[] a, float mean, float std) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (mean + std * nextGaussian());
        }
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
