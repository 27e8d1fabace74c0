package dev.brisk.dist.ddp;

import java.util.Locale;

/**
 * Model-state memory of one rank under ZeRO, measured from what is allocated, with the paper's per-rank formulas
 * for Ψ parameters, N ranks and an optimizer keeping K F32 slots per parameter (all F32 here, 4 bytes an element):
 * parameters 4Ψ (not sharded by stages 1–2); gradients 4Ψ (stage 1) or 4Ψ/N (stage 2); optimizer state 4KΨ/N.
 * The measured shard sizes differ from Ψ/N by the rounding of each bucket's chunks (at most one element per bucket).
 *
 * @param stage                  1 or 2
 * @param ranks                  N
 * @param parameterBytes         the full F32 parameters every rank keeps
 * @param gradientBytes          gradient memory kept between reduction and update (the kept buckets and the owned
 *                               shard in stage 1, the owned shard in stage 2)
 * @param optimizerStateBytes    the optimizer slots this rank allocated (0 before its first step)
 * @param expectedGradientBytes  the formula's gradients
 * @param expectedOptimizerBytes the formula's optimizer state
 * @param slots                  K
 */
public record ZeroMemory(int stage, int ranks, long parameterBytes, long gradientBytes, long optimizerStateBytes,
                         long expectedGradientBytes, long expectedOptimizerBytes, int slots) {

    /** Parameters + gradients + optimizer state, measured. */
    public long totalBytes() {
        return parameterBytes + gradientBytes + optimizerStateBytes;
    }

    /** What plain DDP holds for the same model: 4Ψ + 4Ψ + 4KΨ. */
    public long unshardedBytes() {
        return parameterBytes * (2 + slots);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ZeRO-%d on %d ranks, per rank: parameters %.2f MiB, gradients %.2f MiB "
                        + "(formula %.2f), optimizer state %.2f MiB (formula %.2f); %.2f MiB in all vs %.2f MiB "
                        + "unsharded", stage, ranks, mib(parameterBytes), mib(gradientBytes),
                mib(expectedGradientBytes), mib(optimizerStateBytes), mib(expectedOptimizerBytes), mib(totalBytes()),
                mib(unshardedBytes()));
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
