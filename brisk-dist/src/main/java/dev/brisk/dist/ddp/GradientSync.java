package dev.brisk.dist.ddp;

import dev.brisk.optim.GradClip;
import dev.brisk.optim.Optimizer;
import dev.brisk.tensor.Tensor;
import java.util.Map;

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

    /**
     * The global gradient norm over {@code params} (the optimizer's parameters), clipping the gradients to
     * {@code maxNorm} when it is not null (see {@link GradClip#byGlobalNorm}). Collective when the optimizer holds
     * only this rank's shard of the gradients (ZeRO): the norm is then summed over all ranks.
     */
    default double clipGradients(Map<String, Tensor> params, Double maxNorm) {
        return maxNorm != null ? GradClip.byGlobalNorm(params, maxNorm) : GradClip.globalNorm(params);
    }

    /**
     * Call after every optimizer step, even a skipped one (collective under ZeRO: each rank updated only its shard
     * of the parameters, and the updated shards are all-gathered here).
     */
    default void afterOptimizerStep() {
    }

    /**
     * Whether each rank's optimizer holds only its shard of the state (ZeRO): then {@link #optimizerState} is
     * collective and every rank must call it at each checkpoint.
     */
    default boolean shardsOptimizerState() {
        return false;
    }

    /**
     * The optimizer state to checkpoint, in the single-process format ({@code <param>.<slot>}, {@code <param>.step}),
     * so a checkpoint does not depend on the number of ranks; collective when {@link #shardsOptimizerState()}.
     */
    default Map<String, Tensor> optimizerState(Optimizer optimizer) {
        return optimizer.stateDict();
    }

    /** Restores state saved by {@link #optimizerState} (each rank keeps its own shard of it). */
    default void loadOptimizerState(Optimizer optimizer, Map<String, Tensor> state) {
        optimizer.loadStateDict(state);
    }

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
