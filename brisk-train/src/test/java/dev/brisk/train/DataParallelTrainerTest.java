package dev.brisk.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.data.TensorDataset;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.ThreadGroup;
import dev.brisk.dist.ddp.DistributedDataParallel;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.optim.Schedule;
import dev.brisk.optim.Sgd;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel training through the {@link Trainer}: two ranks (threads over a {@link ThreadGroup}) each train on
 * their {@link Sampler#distributed} shard and end bit-identical, and equal to one process training on the global
 * batch (the union of the ranks' batches: rank r's k-th sample of an epoch is the sequential order's
 * {@code r + 2k}-th, so global batch i of size 2B holds exactly rank 0's and rank 1's batch i of size B).
 */
class DataParallelTrainerTest {

    private static final int WORLD = 2;
    private static final int PER_RANK_BATCH = 8;
    private static final Duration GROUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int RUN_SECONDS = 30;

    private static DataLoader loader(int batch, Sampler sampler) {
        LoaderConfig c = LoaderConfig.of(batch, 11).withDropLast(true).withSampler(sampler);
        return DataLoader.create(TrainerTest.data(), TensorDataset.collate(), c);
    }

    private static Trainer trainer(Module m, Loss loss, DataLoader train, long steps, int accumulation,
                                   dev.brisk.dist.ddp.GradientSync sync) {
        Optimizer opt = Optimizer.of(Sgd.plain(), 0.1, m.namedParameters(), 0);
        TrainPlan plan = new TrainPlan(steps, accumulation, null, null, false, null, false, 1, 1, null);
        return new Trainer(m, loss, opt, LearningRate.of(new Schedule.Constant(0.1)), Precision.FP32, train, null,
                plan, null, null, 0, 1, null, sync);
    }

    /** Single process on the global batch: the reference. */
    private static float[] singleProcess(long steps, int accumulation) {
        Module m = TrainerTest.model(7, false);
        try (DataLoader l = loader(WORLD * PER_RANK_BATCH, Sampler.sequential())) {
            trainer(m, new CrossEntropyLoss(), l, steps, accumulation, dev.brisk.dist.ddp.GradientSync.none()).fit();
        }
        return TrainerTest.weights(m);
    }

    /** Each rank: its own model seed (DDP must broadcast rank 0's weights), its shard, the Trainer. */
    private static List<Object> dataParallel(long steps, int accumulation, IntFunction<Loss> lossOfRank) {
        List<ThreadGroup> groups = ThreadGroup.create(WORLD, GROUP_TIMEOUT);
        try {
            return onRanks(rank -> {
                ProcessGroup g = groups.get(rank);
                Module m = TrainerTest.model(7 + 100L * rank, false);
                try (DistributedDataParallel ddp = new DistributedDataParallel(m, g);
                     DataLoader l = loader(PER_RANK_BATCH, Sampler.distributed(rank, WORLD, false))) {
                    Trainer t = trainer(m, lossOfRank.apply(rank), l, steps, accumulation, ddp);
                    Trainer.Summary s = t.fit();
                    assertEquals(steps, s.steps());
                    assertEquals(steps, ddp.synchronizedSteps());
                    return TrainerTest.weights(m);
                }
            });
        } finally {
            groups.forEach(ThreadGroup::close);
        }
    }

    @Test
    void twoRanksMatchOneProcessOnTheGlobalBatch() {
        long steps = 9; // crosses an epoch boundary (6 global batches of 16 per epoch)
        List<Object> ranks = dataParallel(steps, 1, r -> new CrossEntropyLoss());
        float[] w0 = weightsOf(ranks.get(0));
        float[] w1 = weightsOf(ranks.get(1));
        assertArrayEquals(w0, w1, "replicas diverged"); // bit-identical: same averaged gradients, same update
        float[] ref = singleProcess(steps, 1);
        assertArrayEquals(ref, w0, 1e-5f);
        float[] init = TrainerTest.weights(TrainerTest.model(7, false));
        assertTrue(maxDiff(init, w0) > 1e-3, "training should have moved the weights");
    }

    @Test
    void gradientAccumulationSynchronisesOncePerStep() {
        long steps = 4;
        List<Object> ranks = dataParallel(steps, 2, r -> new CrossEntropyLoss());
        assertArrayEquals(weightsOf(ranks.get(0)), weightsOf(ranks.get(1)), "replicas diverged");
        assertArrayEquals(singleProcess(steps, 2), weightsOf(ranks.get(0)), 1e-5f);
    }

    @Test
    void aNonFiniteLossOnOneRankStopsBothRanksAtTheSameStep() {
        int[] calls = {0};
        List<Object> ranks = dataParallel(10, 1, rank -> rank == 0 ? new CrossEntropyLoss() : (out, target) -> {
            Tensor l = new CrossEntropyLoss().apply(out, target);
            return ++calls[0] >= 3 ? l.mul(Float.NaN) : l;
        });
        for (Object r : ranks) {
            NonFiniteLossException e = assertInstanceOf(NonFiniteLossException.class, r,
                    "every rank must stop, not hang: " + r);
            assertEquals(3, e.step());
        }
    }

    /**
     * The Trainer with ZeRO (Adam, clipping, a checkpoint every 3 steps written by rank 0): {@code steps} steps,
     * resuming first from the latest checkpoint in {@code resumeDir} when it is given.
     */
    private static List<Object> zeroRun(int stage, long steps, java.nio.file.Path runDir, java.nio.file.Path resumeDir) {
        return zeroRun(stage, steps, 1, runDir, resumeDir);
    }

    private static List<Object> zeroRun(int stage, long steps, int accumulation, java.nio.file.Path runDir,
                                        java.nio.file.Path resumeDir) {
        List<ThreadGroup> groups = ThreadGroup.create(WORLD, GROUP_TIMEOUT);
        try {
            return onRanks(rank -> {
                Module m = TrainerTest.model(7 + 100L * rank, false);
                var opts = DistributedDataParallel.Options.defaults().withZeroStage(stage);
                try (DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(rank), opts);
                     DataLoader l = loader(PER_RANK_BATCH, Sampler.distributed(rank, WORLD, false))) {
                    Optimizer opt = ddp.shardOptimizer(Optimizer.of(dev.brisk.optim.Adam.adamW(), 0.01,
                            m.namedParameters(), 0.01));
                    TrainPlan plan = new TrainPlan(steps, accumulation, 0.5, null, false, 3, false, 10, 1, null);
                    Trainer t = new Trainer(m, new CrossEntropyLoss(), opt,
                            LearningRate.of(new Schedule.Constant(0.01)), Precision.FP32, l, null, plan,
                            rank == 0 ? runDir : null, null, 0, 1, null, ddp);
                    if (resumeDir != null) {
                        t.restore(Checkpoints.load(Checkpoints.latest(resumeDir).orElseThrow()));
                    }
                    t.fit();
                    return TrainerTest.weights(m);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } finally {
            groups.forEach(ThreadGroup::close);
        }
    }

    @Test
    void zeroTrainsLikePlainDataParallelAndResumesBitIdentically(@org.junit.jupiter.api.io.TempDir
                                                                  java.nio.file.Path tmp) {
        long steps = 8;
        float[] plain = weightsOf(zeroRun(0, steps, tmp.resolve("plain"), null).get(0));
        for (int stage = 1; stage <= 2; stage++) {
            List<Object> ranks = zeroRun(stage, steps, tmp.resolve("z" + stage), null);
            float[] w0 = weightsOf(ranks.get(0));
            assertArrayEquals(w0, weightsOf(ranks.get(1)), "ZeRO-" + stage + " replicas diverged");
            assertArrayEquals(plain, w0, 1e-5f, "ZeRO-" + stage + " vs plain DDP");
            // interrupted after the checkpoint at step 6, resumed (the checkpoint holds the gathered state)
            zeroRun(stage, 6, tmp.resolve("part" + stage), null);
            float[] resumed = weightsOf(zeroRun(stage, steps, tmp.resolve("part" + stage), tmp.resolve("part" + stage))
                    .get(0));
            assertArrayEquals(w0, resumed, "ZeRO-" + stage + " resumed run differs from the uninterrupted one");
        }
        // gradient accumulation: the shards see the accumulated gradients of the last micro-batch's backward
        float[] plainAcc = weightsOf(zeroRun(0, 4, 2, tmp.resolve("acc0"), null).get(0));
        assertArrayEquals(plainAcc, weightsOf(zeroRun(2, 4, 2, tmp.resolve("acc2"), null).get(0)), 1e-5f);
        // the checkpoint of a ZeRO run is a plain one: a plain run resumes from it
        zeroRun(2, 6, tmp.resolve("cross"), null);
        float[] crossed = weightsOf(zeroRun(0, steps, tmp.resolve("cross"), tmp.resolve("cross")).get(0));
        assertArrayEquals(plain, crossed, 1e-5f);
    }

    private static float[] weightsOf(Object rankResult) {
        if (rankResult instanceof Throwable t) {
            throw new AssertionError("a rank failed", t);
        }
        return (float[]) rankResult;
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** Runs {@code body(rank)} on WORLD threads; each rank's result or what it threw. Bounded. */
    private static List<Object> onRanks(IntFunction<Object> body) {
        ExecutorService pool = Executors.newFixedThreadPool(WORLD);
        try {
            List<Future<Object>> fs = new ArrayList<>();
            for (int r = 0; r < WORLD; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try {
                        return body.apply(rank);
                    } catch (Throwable t) {
                        return t;
                    }
                }));
            }
            List<Object> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
            for (Future<Object> f : fs) {
                try {
                    out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    fail("a rank hung for more than " + RUN_SECONDS + " s");
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
            }
            for (Object o : out) {
                if (o instanceof Error err && !(o instanceof AssertionError)) {
                    throw err;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
