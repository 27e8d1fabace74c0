package dev.brisk.data;

/**
 * Derives independent seeds from a root seed and a path of integers, so every random choice in the data
 * pipeline is a pure function of {@code (seed, purpose, epoch, position, ...)} — independent of threads, timing
 * and the number of workers. The mixer is SplitMix64's finalizer, fixed here so results never change under us.
 */
public final class Seeds {

    /** Purposes, mixed in first so streams for different jobs never coincide. */
    public static final long SAMPLER = 1, SAMPLE = 2, BATCH = 3, SPLIT = 4, SYNTHETIC = 5;

    private Seeds() {}

    public static long derive(long seed, long... path) {
        long h = mix64(seed);
        for (long p : path) {
            h = mix64(h ^ mix64(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
