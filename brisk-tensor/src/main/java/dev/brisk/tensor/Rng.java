package dev.brisk.tensor;

/**
 * A seeded, splittable random generator: SplitMix64 (Steele, Lea &amp; Flood), the algorithm of the JDK's
 * {@code SplittableRandom}, spelled out here so that a seed gives the same numbers on every JVM, {@link #split()}
 * hands independent streams to workers deterministically, and the whole state is two longs that a checkpoint can
 * save ({@link #state()}) and restore ({@link #fromState}).
 */
public final class Rng {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long seed;
    private final long gamma;

    public Rng(long seed) {
        this(seed, GOLDEN_GAMMA);
    }

    private Rng(long seed, long gamma) {
        this.seed = seed;
        this.gamma = gamma;
    }

    /** The generator's full state: {seed, gamma}. */
    public long[] state() {
        return new long[] {seed, gamma};
    }

    /** A generator continuing exactly where the one whose {@link #state()} was taken stood. */
    public static Rng fromState(long[] state) {
        if (state.length != 2 || (state[1] & 1) == 0) {
            throw new IllegalArgumentException("an Rng state is {seed, odd gamma}, got " + java.util.Arrays.toString(
                    state));
        }
        return new Rng(state[0], state[1]);
    }

    private long nextSeed() {
        return seed += gamma;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    private static long mixGamma(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z = (z ^ (z >>> 33)) | 1L;
        int n = Long.bitCount(z ^ (z >>> 1));
        return (n < 24) ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
    }

    /** A new independent generator; the sequence of splits is itself deterministic. */
    public Rng split() {
        return new Rng(nextLong(), mixGamma(nextSeed()));
    }

    /** Uniform in [0, 1). */
    public float nextFloat() {
        return (nextInt() >>> 8) * 0x1.0p-24f;
    }

    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public int nextInt() {
        return mix32(nextSeed());
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        int r = nextInt();
        int m = bound - 1;
        if ((bound & m) == 0) {
            return r & m;
        }
        for (int u = r >>> 1; u + m - (r = u % bound) < 0; u = nextInt() >>> 1) {
            // reject values from the incomplete last interval so the result is exactly uniform
        }
        return r;
    }

    public long nextLong() {
        return mix64(nextSeed());
    }

    /** Standard normal by the polar Box–Muller method (spelled out here so it never changes under us). */
    public double nextGaussian() {
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** Fills with uniform values in [lo, hi). */
    public void fillUniform(float[] a, float lo, float hi) {
        for (int i = 0; i < a.length; i++) {
            a[i] = lo + (hi - lo) * nextFloat();
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
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
