package dev.brisk.dist.ddp;

/**
 * What a training step calls so that data-parallel replicas stay identical. The trainer holds one (a
 * {@link DistributedDataParallel} when distributed, {@link #none()} otherwise) and, for each optimizer step over
 * micro-batches {@code mb[0..K)}, calls:
 * <pre>{@code
 * for (int i = 0; i < K; i++) {
 *     try (var _ = i < K - 1 ? sync.noSync() : GradientSync.Scope.NONE) {
 *         sync.beforeForward();              // broadcasts buffers (not under noSync)
 *         loss = lossFn(model.forward(x_i)) * (1/K);
 *         loss.backward();                   // hooks start bucket all-reduces during the last backward
 *     }
 * }
 * sync.finishGradients();                    // waits; every p.grad() now holds the average over all ranks
 * // then: unscale (fp16), clip, optimizer.step(), optimizer.zeroGrad() — unchanged
 * }</pre>
 * Every method except {@link #noSync()} and {@link #lastStep()} is collective: every rank must call it the same
 * number of times in the same order (equal step and micro-batch counts on all ranks; use a sampler that gives
 * every rank the same number of batches).
 */
public interface GradientSync {

    /** Call before each micro-batch's forward (collective outside {@link #noSync()}). */
    void beforeForward();

    /**
     * A scope in which backward passes only accumulate gradients locally (no communication): gradient accumulation.
     * Run every micro-batch but the last of a step inside it. Nestable.
     */
    Scope noSync();

    /**
     * Call once per optimizer step, after the last backward and before unscaling, clipping and the optimizer step:
     * completes the gradient all-reduce and leaves the averaged gradient in every parameter's {@code grad()}.
     * Returns false (and does nothing) inside {@link #noSync()}.
     */
    boolean finishGradients();

    /** Communication timings of the last {@link #finishGradients()}. */
    SyncStats lastStep();

    /**
     * True on every rank if {@code flag} is true on any rank (collective): e.g. "my loss was not finite", so that
     * all ranks skip or stop together instead of one rank leaving the others waiting in a collective.
     */
    boolean anyRank(boolean flag);

    /** A scope closed by try-with-resources; closing twice is harmless. */
    interface Scope extends AutoCloseable {

        /** A scope that does nothing (the last micro-batch). */
        Scope NONE = () -> { };

        @Override
        void close();
    }

    /** Single-process training: nothing to synchronise. */
    static GradientSync none() {
        return new GradientSync() {
            @Override
            public void beforeForward() {
            }

            @Override
            public Scope noSync() {
                return Scope.NONE;
            }

            @Override
            public boolean finishGradients() {
                return true;
            }

            @Override
            public SyncStats lastStep() {
                return SyncStats.NONE;
            }

            @Override
            public boolean anyRank(boolean flag) {
                return flag;
            }
        };
    }
}
