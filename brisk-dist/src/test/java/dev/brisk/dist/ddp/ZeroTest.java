package dev.brisk.dist.ddp;

import static dev.brisk.dist.ddp.DistributedDataParallelTest.HIDDEN;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.assertClose;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.mlp;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.rows;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.SingleProcessGroup;
import dev.brisk.dist.TcpGroup;
import dev.brisk.dist.ddp.DdpRanks.Impl;
import dev.brisk.dist.ddp.DistributedDataParallelTest.Data;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.nn.loss.Loss;
import dev.brisk.nn.loss.MseLoss;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Lamb;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.ParamGroup;
import dev.brisk.optim.Sgd;
import dev.brisk.optim.UpdateRule;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ZeRO-1/2 against plain DDP and against one process on the concatenated batch: same weights (within float
 * rounding: the shards are updated by the same kernels, only the clip norm is summed in another order), the same
 * optimizer state once consolidated, and per-rank memory that follows the formulas.
 */
class ZeroTest {

    private static final double TOL = 2e-5;
    private static final int STEPS = 4;
    private static final double CLIP = 0.6; // small enough that some steps clip

    /** What one rank ends with. */
    record Outcome(Map<String, float[]> weights, Map<String, Tensor> state, ZeroMemory memory, int shardSlots) {
    }

    private static DistributedDataParallel.Options opts(int stage) {
        // small buckets: several of them, and parameters cut across chunk boundaries
        return DistributedDataParallel.Options.defaults().withBucketCaps(300, 700).withZeroStage(stage);
    }

    private static ParamGroup[] groups(Module m) {
        return ParamGroup.split(m.namedParameters(), 0.01, ParamGroup.DEFAULT_DECAY_MASK);
    }

    static List<Outcome> train(Impl impl, int p, int stage, UpdateRule rule, Data d, Loss loss) {
        List<ProcessGroup> groups = DdpRanks.groups(impl, p);
        try {
            int rowsPerRank = d.x().get(0).size(0) / p;
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = mlp(7 + 1000L * r, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts(stage));
                Optimizer opt = ddp.shardOptimizer(new Optimizer(rule, 0.02, groups(m)));
                for (int s = 0; s < d.x().size(); s++) {
                    Tensor out = ddp.forward(rows(d.x().get(s), r * rowsPerRank, rowsPerRank));
                    loss.apply(out, rows(d.y().get(s), r * rowsPerRank, rowsPerRank)).backward();
                    assertTrue(ddp.finishGradients());
                    ddp.clipGradients(opt.namedParameters(), CLIP);
                    opt.step();
                    ddp.afterOptimizerStep();
                    opt.zeroGrad();
                }
                return new Outcome(snapshot(m), ddp.optimizerState(opt), ddp.zeroMemory(),
                        opt.namedParameters().size());
            }, 60));
            List<Outcome> out = new ArrayList<>();
            res.forEach(o -> out.add((Outcome) o));
            return out;
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    /**
     * Per stage (1, 2) over TCP on 2 ranks, one step: the bytes rank 0 sent, and whether the gradients the sharded
     * optimizer read were still the same after the parameters were gathered.
     */
    private static long[] oneStepBytesAndGradientsKept(int stage, Data d) {
        List<ProcessGroup> groups = DdpRanks.groups(Impl.TCP, 2);
        try {
            List<Object> res = DdpRanks.ok(DdpRanks.run(2, r -> {
                Module m = mlp(7, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts(stage));
                Optimizer opt = ddp.shardOptimizer(Optimizer.of(Sgd.plain(), 0.02, m.namedParameters(), 0));
                long before = ((TcpGroup) groups.get(r)).bytesSent();
                loss().apply(ddp.forward(rows(d.x().get(0), 4 * r, 4)), rows(d.y().get(0), 4 * r, 4)).backward();
                ddp.finishGradients();
                Map<String, float[]> grads = new LinkedHashMap<>();
                opt.namedParameters().forEach((n, t) -> grads.put(n, t.grad().toFloatArray()));
                opt.step();
                ddp.afterOptimizerStep();
                long sent = ((TcpGroup) groups.get(r)).bytesSent() - before;
                long kept = 1;
                for (var e : opt.namedParameters().entrySet()) {
                    if (!Arrays.equals(grads.get(e.getKey()), e.getValue().grad().toFloatArray())) {
                        kept = 0;
                    }
                }
                return new long[] {sent, kept};
            }, 60));
            return (long[]) res.get(0);
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    private static Loss loss() {
        return new MseLoss();
    }

    /**
     * ZeRO-1 reduce-scatters like ZeRO-2 (an all-reduce would send half as many bytes again, only to drop all but
     * the owned chunk), and in both stages the gathered parameters do not overwrite the optimizer's gradients.
     */
    @Test
    @Timeout(60)
    void zeroOneSendsWhatZeroTwoSendsAndGatheringKeepsTheGradients() {
        Data d = Data.make(1, 8, false);
        long[] one = oneStepBytesAndGradientsKept(1, d);
        long[] two = oneStepBytesAndGradientsKept(2, d);
        assertTrue(two[0] > 0);
        assertEquals(two[0], one[0], "bytes sent by rank 0 in one step");
        assertEquals(1, one[1], "ZeRO-1 gradients overwritten by the parameter all-gather");
        assertEquals(1, two[1], "ZeRO-2 gradients overwritten by the parameter all-gather");
    }

    /** One process, the whole batch, the same optimizer groups and clipping. */
    static Map<String, float[]> reference(UpdateRule rule, Data d, Loss loss) {
        Module m = mlp(7, HIDDEN);
        Optimizer opt = new Optimizer(rule, 0.02, groups(m));
        for (int s = 0; s < d.x().size(); s++) {
            loss.apply(m.forward(d.x().get(s)), d.y().get(s)).backward();
            dev.brisk.optim.GradClip.byGlobalNorm(opt.namedParameters(), CLIP);
            opt.step();
            opt.zeroGrad();
        }
        return snapshot(m);
    }

    private static void checkAgainstDdp(Impl impl, int p, int stage, UpdateRule rule) {
        Data d = Data.make(STEPS, 4 * p, true);
        Loss loss = new CrossEntropyLoss();
        List<Outcome> plain = train(impl, p, 0, rule, d, loss);
        List<Outcome> zero = train(impl, p, stage, rule, d, loss);
        Map<String, float[]> single = reference(rule, d, loss);
        for (int r = 0; r < p; r++) {
            String what = "ZeRO-" + stage + " p=" + p + " rank " + r;
            assertClose(plain.get(r).weights(), zero.get(r).weights(), TOL, what + " vs DDP");
            assertClose(single, zero.get(r).weights(), TOL, what + " vs one process");
            for (String n : single.keySet()) {
                assertArrayEquals(zero.get(0).weights().get(n), zero.get(r).weights().get(n),
                        "rank " + r + " diverged at " + n);
            }
            // the consolidated state is the single-process optimizer's, on every rank
            Map<String, Tensor> expected = plain.get(r).state();
            Map<String, Tensor> actual = zero.get(r).state();
            assertEquals(expected.keySet(), actual.keySet(), what + " state keys");
            expected.forEach((k, v) -> assertClose(Map.of(k, v.toFloatArray()),
                    Map.of(k, actual.get(k).to(dev.brisk.tensor.DType.F32).toFloatArray()), TOL, what + " state"));
        }
        assertFalse(java.util.Arrays.equals(snapshot(mlp(7, HIDDEN)).get("0.weight"), single.get("0.weight")),
                "training moved the weights");
        checkMemory(zero, stage, rule.stateSlots().size());
    }

    /** Optimizer state (and stage-2 gradients) per rank: Ψ/N each, up to one element per bucket of rounding. */
    private static void checkMemory(List<Outcome> ranks, int stage, int slots) {
        int p = ranks.size();
        long psi = ranks.get(0).memory().parameterBytes() / 4;
        long buckets = 3; // opts(): at most this many buckets for the test model; each rounds by < 1 element
        long stateSum = 0;
        long gradSum = 0;
        for (Outcome o : ranks) {
            ZeroMemory mem = o.memory();
            assertEquals(stage, mem.stage());
            assertEquals(p, mem.ranks());
            assertEquals(4L * slots * psi / p, mem.expectedOptimizerBytes());
            assertTrue(Math.abs(mem.optimizerStateBytes() - mem.expectedOptimizerBytes()) <= 4L * slots * buckets,
                    mem.toString());
            if (stage == 1) { // the kept buckets, and the shard the optimizer reads
                assertTrue(Math.abs(mem.gradientBytes() - 4 * psi - 4 * psi / p) <= 4 * buckets, mem.toString());
            } else {
                assertTrue(Math.abs(mem.gradientBytes() - 4 * psi / p) <= 4 * buckets, mem.toString());
            }
            assertTrue(mem.totalBytes() < mem.unshardedBytes());
            stateSum += mem.optimizerStateBytes();
            gradSum += mem.gradientBytes();
        }
        assertEquals(4L * slots * psi, stateSum, "the shards partition the state");
        if (stage == 2) {
            assertEquals(4 * psi, gradSum, "the shards partition the gradients");
        }
    }

    @Test
    @Timeout(60)
    void zeroOneOnTwoRanksMatchesDdpAndOneProcess() {
        checkAgainstDdp(Impl.THREAD, 2, 1, Adam.adamW());
    }

    @Test
    @Timeout(60)
    void zeroTwoOnThreeRanksMatchesDdpAndOneProcess() {
        checkAgainstDdp(Impl.THREAD, 3, 2, Adam.adamW());
    }

    @Test
    @Timeout(60)
    void zeroTwoOverTcpWithMomentumMatchesDdp() {
        checkAgainstDdp(Impl.TCP, 2, 2, Sgd.momentum(0.9));
    }

    @Test
    @Timeout(60)
    void zeroOneOnThreeRanksOverTcp() {
        checkAgainstDdp(Impl.TCP, 3, 1, Adam.adam());
    }

    /** Rank r's weights and consolidated state after 2 Adam steps where "sometimes" is used on rank 0 only. */
    private static List<Outcome> partlyUsed(int stage) {
        int p = 2;
        Data d = Data.make(2, 5 * p, false);
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                var m = new DistributedDataParallelTest.PartlyUsed(3, r == 0);
                var o = DistributedDataParallel.Options.defaults().withBucketCaps(40, 40).withZeroStage(stage);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), o);
                Optimizer opt = ddp.shardOptimizer(Optimizer.of(Adam.adam(), 0.01, m.namedParameters(), 0));
                for (int s = 0; s < 2; s++) {
                    new MseLoss().apply(ddp.forward(rows(d.x().get(s), 5 * r, 5)),
                            rows(d.y().get(s), 5 * r, 5)).backward();
                    ddp.finishGradients();
                    ddp.clipGradients(opt.namedParameters(), null);
                    opt.step();
                    ddp.afterOptimizerStep();
                    opt.zeroGrad();
                }
                return new Outcome(snapshot(m), ddp.optimizerState(opt), null, 0);
            }, 60));
            List<Outcome> out = new ArrayList<>();
            res.forEach(o -> out.add((Outcome) o));
            return out;
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    @Timeout(60)
    void parametersUnusedOnSomeOrAllRanksAreHandledAsInDdp() {
        List<Outcome> plain = partlyUsed(0);
        Map<String, float[]> init = snapshot(new DistributedDataParallelTest.PartlyUsed(3, true));
        for (int stage = 1; stage <= 2; stage++) {
            List<Outcome> zero = partlyUsed(stage);
            for (int r = 0; r < 2; r++) {
                assertClose(plain.get(r).weights(), zero.get(r).weights(), TOL, "ZeRO-" + stage + " rank " + r);
                assertArrayEquals(init.get("never.weight"), zero.get(r).weights().get("never.weight"),
                        "a parameter no rank used is not updated");
                assertFalse(java.util.Arrays.equals(init.get("sometimes.weight"),
                        zero.get(r).weights().get("sometimes.weight")), "used on rank 0: updated everywhere");
                assertEquals(plain.get(r).state().keySet(), zero.get(r).state().keySet());
                assertFalse(zero.get(r).state().containsKey("never.weight.exp_avg"));
            }
        }
    }

    @Test
    @Timeout(60)
    void consolidatedStateLoadsBackIntoTheShards() {
        int p = 3;
        Data d = Data.make(2, 4 * p, true);
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = mlp(7, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts(2));
                Optimizer opt = ddp.shardOptimizer(new Optimizer(Adam.adamW(), 0.02, groups(m)));
                for (int s = 0; s < d.x().size(); s++) {
                    new CrossEntropyLoss().apply(ddp.forward(rows(d.x().get(s), r * 4, 4)),
                            rows(d.y().get(s), r * 4, 4)).backward();
                    ddp.finishGradients();
                    opt.step();
                    ddp.afterOptimizerStep();
                    opt.zeroGrad();
                }
                Map<String, Tensor> saved = ddp.optimizerState(opt);
                Map<String, Tensor> shard = opt.stateDict();
                // a fresh replica (another rank count would do too: the format is the single-process one)
                Module m2 = mlp(7, HIDDEN);
                DistributedDataParallel ddp2 = new DistributedDataParallel(m2, groups.get(r), opts(2));
                Optimizer opt2 = ddp2.shardOptimizer(new Optimizer(Adam.adamW(), 0.02, groups(m2)));
                ddp2.loadOptimizerState(opt2, saved);
                Map<String, Tensor> shard2 = opt2.stateDict();
                assertEquals(shard.keySet(), shard2.keySet());
                shard.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), shard2.get(k).toFloatArray(), k));
                assertTrue(saved.keySet().stream().anyMatch(k -> k.endsWith(".exp_avg")));
                return null;
            }, 60));
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    @Timeout(30)
    void onOneRankZeroIsPlainTrainingAndLambIsRefused() {
        Module m = mlp(7, HIDDEN);
        try (ProcessGroup g = new SingleProcessGroup()) {
            DistributedDataParallel ddp = new DistributedDataParallel(m, g, opts(2));
            Optimizer full = Optimizer.of(Adam.adam(), 0.01, m.namedParameters(), 0);
            assertSame(full, ddp.shardOptimizer(full));
            assertEquals(0, ddp.zeroStage());
            assertNull(ddp.zeroMemory());
        }
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, 2);
        try {
            List<Object> res = DdpRanks.run(2, r -> {
                Module mr = mlp(7, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(mr, groups.get(r), opts(1));
                Optimizer full = Optimizer.of(Lamb.defaults(), 0.01, mr.namedParameters(), 0);
                assertNotSame(full, ddp.shardOptimizer(Optimizer.of(Adam.adam(), 0.01, mr.namedParameters(), 0)));
                return ddp.zeroStage() == 1 ? tryShard(ddp, full) : "stage " + ddp.zeroStage();
            }, 30);
            for (Object o : res) {
                assertInstanceOf(IllegalStateException.class, o, "a second shardOptimizer call is refused");
            }
            List<Object> lamb = DdpRanks.run(2, r -> {
                Module mr = mlp(7, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(mr, groups.get(r), opts(1));
                return tryShard(ddp, Optimizer.of(Lamb.defaults(), 0.01, mr.namedParameters(), 0));
            }, 30);
            for (Object o : lamb) {
                IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, o);
                assertTrue(e.getMessage().contains("Lamb"), e.getMessage());
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    private static Object tryShard(DistributedDataParallel ddp, Optimizer full) {
        try {
            return ddp.shardOptimizer(full);
        } catch (RuntimeException e) {
            return e;
        }
    }
}
