package dev.brisk.dist.ddp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.SingleProcessGroup;
import dev.brisk.dist.ddp.DdpRanks.Impl;
import dev.brisk.nn.BatchNorm1d;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.nn.loss.Loss;
import dev.brisk.nn.loss.MseLoss;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Sgd;
import dev.brisk.optim.UpdateRule;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DDP against single-process training: p ranks with B rows each end with the weights of one process trained on the
 * p·B rows (mean losses), whatever each rank's initial seed (rank 0's weights are broadcast).
 */
class DistributedDataParallelTest {

    private static final int IN = 4;
    private static final int OUT = 3;
    static final int HIDDEN = 16;
    private static final double TOL = 1e-5;

    static Module mlp(long seed, int hidden) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(IN, hidden, rng), new ReLU(), new Linear(hidden, hidden, rng), new ReLU(),
                new Linear(hidden, OUT, rng));
    }

    /** Per step: inputs (rows) and targets. */
    record Data(List<Tensor> x, List<Tensor> y) {
        static Data make(int steps, int rows, boolean classes) {
            Rng rng = new Rng(12345);
            List<Tensor> xs = new ArrayList<>();
            List<Tensor> ys = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                xs.add(Tensor.randn(rng, rows, IN));
                if (classes) {
                    long[] c = new long[rows];
                    for (int i = 0; i < rows; i++) {
                        c[i] = (s * 7L + i * 5L) % OUT;
                    }
                    ys.add(Tensor.ofLongs(c, rows));
                } else {
                    ys.add(Tensor.randn(rng, rows, OUT));
                }
            }
            return new Data(xs, ys);
        }
    }

    static Tensor rows(Tensor t, int start, int n) {
        return t.narrow(0, start, n).contiguous();
    }

    static Map<String, float[]> snapshot(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.toFloatArray()));
        return out;
    }

    static Map<String, float[]> reference(Data d, UpdateRule rule, double lr, Loss loss) {
        Module m = mlp(7, HIDDEN);
        Optimizer opt = Optimizer.of(rule, lr, m.namedParameters(), 0.0);
        for (int s = 0; s < d.x().size(); s++) {
            loss.apply(m.forward(d.x().get(s)), d.y().get(s)).backward();
            opt.step();
            opt.zeroGrad();
        }
        return snapshot(m);
    }

    static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual, double tol, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, e) -> {
            float[] a = actual.get(name);
            for (int i = 0; i < e.length; i++) {
                assertTrue(Math.abs(e[i] - a[i]) <= tol, what + ": " + name + "[" + i + "] expected " + e[i]
                        + " got " + a[i]);
            }
        });
    }

    /** Trains with DDP on p ranks; returns each rank's final parameters. */
    static List<Map<String, float[]>> ddpTrain(Impl impl, int p, Data d, UpdateRule rule, double lr, Loss loss,
                                              DistributedDataParallel.Options opts) {
        List<ProcessGroup> groups = DdpRanks.groups(impl, p);
        try {
            int rowsPerRank = d.x().get(0).size(0) / p;
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = mlp(7 + 1000L * r, HIDDEN); // different seeds: construction must broadcast rank 0's
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts);
                Optimizer opt = Optimizer.of(rule, lr, m.namedParameters(), 0.0);
                for (int s = 0; s < d.x().size(); s++) {
                    Tensor out = ddp.forward(rows(d.x().get(s), r * rowsPerRank, rowsPerRank));
                    loss.apply(out, rows(d.y().get(s), r * rowsPerRank, rowsPerRank)).backward();
                    assertTrue(ddp.finishGradients());
                    opt.step();
                    opt.zeroGrad();
                }
                return snapshot(m);
            }, 60));
            List<Map<String, float[]>> out = new ArrayList<>();
            for (Object o : res) {
                @SuppressWarnings("unchecked")
                Map<String, float[]> m = (Map<String, float[]>) o;
                out.add(m);
            }
            return out;
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    static void checkEquivalence(Impl impl, int p, UpdateRule rule, double lr, Loss loss, boolean classes,
                                 DistributedDataParallel.Options opts) {
        int steps = 5;
        Data d = Data.make(steps, 6 * p, classes);
        Map<String, float[]> ref = reference(d, rule, lr, loss);
        List<Map<String, float[]>> ranks = ddpTrain(impl, p, d, rule, lr, loss, opts);
        for (int r = 0; r < p; r++) {
            assertClose(ref, ranks.get(r), TOL, impl + " p=" + p + " rank " + r);
            // replicas are bitwise identical
            for (String n : ref.keySet()) {
                assertArrayEquals(ranks.get(0).get(n), ranks.get(r).get(n), "rank " + r + " diverged at " + n);
            }
        }
        // and training moved the weights (the comparison is not trivially true)
        Map<String, float[]> init = snapshot(mlp(7, HIDDEN));
        assertFalse(java.util.Arrays.equals(init.get("0.weight"), ranks.get(0).get("0.weight")));
    }

    private static DistributedDataParallel.Options tinyBuckets() {
        return DistributedDataParallel.Options.defaults().withBucketCaps(64, 256);
    }

    @Test
    @Timeout(60)
    void twoThreadRanksWithSgdMomentumMatchOneProcessOnTheWholeBatch() {
        checkEquivalence(Impl.THREAD, 2, Sgd.momentum(0.9), 0.05, new MseLoss(), false,
                DistributedDataParallel.Options.defaults());
    }

    @Test
    @Timeout(60)
    void threeThreadRanksWithAdamAndManyBucketsMatchOneProcess() {
        checkEquivalence(Impl.THREAD, 3, Adam.adam(), 0.01, new CrossEntropyLoss(), true, tinyBuckets());
    }

    @Test
    @Timeout(60)
    void twoRanksOverTcpWithAdamMatchOneProcess() {
        checkEquivalence(Impl.TCP, 2, Adam.adam(), 0.01, new MseLoss(), false, tinyBuckets());
    }

    @Test
    @Timeout(60)
    void noSyncAccumulationEqualsOneLargeBatchWithOneAllReducePerBucketPerStep() {
        int p = 2;
        int k = 3;
        int b = 4;
        int steps = 3;
        Data d = Data.make(steps, p * k * b, false);
        Loss loss = new MseLoss();
        Map<String, float[]> ref = reference(d, Sgd.momentum(0.9), 0.05, loss);
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = mlp(7 + r, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), tinyBuckets());
                int nb = ddp.bucketLayout().size();
                assertTrue(nb > 2, "several buckets expected, got " + nb);
                Optimizer opt = Optimizer.of(Sgd.momentum(0.9), 0.05, m.namedParameters(), 0.0);
                for (int s = 0; s < steps; s++) {
                    long before = ddp.bucketCollectives();
                    for (int i = 0; i < k; i++) {
                        // rank r's micro-batch i: rows of the step's batch
                        int start = (r * k + i) * b;
                        try (var _ = i < k - 1 ? ddp.noSync() : GradientSync.Scope.NONE) {
                            Tensor out = ddp.forward(rows(d.x().get(s), start, b));
                            loss.apply(out, rows(d.y().get(s), start, b)).mul(1f / k).backward();
                            if (i < k - 1) {
                                assertFalse(ddp.finishGradients(), "finishGradients inside noSync must not sync");
                            }
                        }
                        if (i < k - 1) {
                            assertEquals(before, ddp.bucketCollectives(), "noSync micro-batch communicated");
                        }
                    }
                    assertTrue(ddp.finishGradients());
                    assertEquals(before + nb, ddp.bucketCollectives(), "one all-reduce per bucket per step");
                    opt.step();
                    opt.zeroGrad();
                }
                return snapshot(m);
            }, 60));
            for (Object o : res) {
                @SuppressWarnings("unchecked")
                Map<String, float[]> m = (Map<String, float[]>) o;
                assertClose(ref, m, TOL, "noSync accumulation");
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    /** Uses {@code always}; {@code sometimes} only when told; {@code never} not at all. */
    static final class PartlyUsed extends Module {
        final Linear always;
        final Linear sometimes;
        final Linear never;
        final boolean useSometimes;

        PartlyUsed(long seed, boolean useSometimes) {
            Rng rng = new Rng(seed);
            this.always = registerModule("always", new Linear(IN, OUT, rng));
            this.sometimes = registerModule("sometimes", new Linear(IN, OUT, rng));
            this.never = registerModule("never", new Linear(IN, OUT, rng));
            this.useSometimes = useSometimes;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = always.forward(x);
            return useSometimes ? y.add(sometimes.forward(x)) : y;
        }
    }

    @Test
    @Timeout(60)
    void unusedParametersDoNotHangAndGetTheMeanWithZerosFromRanksThatDidNotUseThem() {
        int p = 2;
        int b = 5;
        Data d = Data.make(2, p * b, false);
        Loss loss = new MseLoss();
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            // what rank 0 alone computes for "sometimes" (its local gradient)
            PartlyUsed solo = new PartlyUsed(3, true);
            loss.apply(solo.forward(rows(d.x().get(0), 0, b)), rows(d.y().get(0), 0, b)).backward();
            float[] rank0Local = solo.sometimes.weight().grad().toFloatArray();
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                PartlyUsed m = new PartlyUsed(3, r == 0); // "sometimes" is used on rank 0 only
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r),
                        DistributedDataParallel.Options.defaults().withBucketCaps(16, 16));
                for (int step = 0; step < 2; step++) {
                    loss.apply(ddp.forward(rows(d.x().get(0), r * b, b)), rows(d.y().get(0), r * b, b)).backward();
                    assertTrue(ddp.finishGradients());
                    if (step == 0) {
                        assertNull(m.never.weight().grad(), "a parameter unused on every rank keeps no gradient");
                        assertNotNull(m.sometimes.weight().grad(), "used on rank 0: every rank gets the mean");
                        float[] g = m.sometimes.weight().grad().toFloatArray();
                        for (int i = 0; i < g.length; i++) {
                            assertEquals(rank0Local[i] / 2, g[i], 1e-6, "mean with a zero from rank 1");
                        }
                    }
                    m.zeroGrad();
                }
                return ddp.lastStep();
            }, 30));
            SyncStats s = (SyncStats) res.get(0);
            assertTrue(s.buckets() >= 3, "each Linear in its own bucket: " + s);
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    static Module deep(long seed) {
        Rng rng = new Rng(seed);
        List<Module> layers = new ArrayList<>();
        layers.add(new Linear(IN, 64, rng));
        for (int i = 0; i < 5; i++) {
            layers.add(new ReLU());
            layers.add(new Linear(64, 64, rng));
        }
        layers.add(new Linear(64, OUT, rng));
        return new Sequential(layers);
    }

    @Test
    @Timeout(60)
    void bucketsAreReverseOrderAndStartDuringBackward() {
        int p = 2;
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            Data d = Data.make(3, 8 * p, false);
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = deep(1);
                // 64·64 floats = 16 KiB per hidden weight: first bucket ≥ 1 KiB, the others ≥ 8 KiB
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r),
                        DistributedDataParallel.Options.defaults().withBucketCaps(1024, 8192));
                List<List<String>> layout = ddp.bucketLayout();
                List<String> flat = layout.stream().flatMap(List::stream).toList();
                List<String> reversed = new ArrayList<>(m.namedParameters().keySet()).reversed();
                assertEquals(reversed, flat, "buckets hold the parameters in reverse order");
                assertTrue(layout.size() >= 4, "several buckets: " + layout);
                SyncStats last = null;
                for (int s = 0; s < 3; s++) {
                    Tensor out = ddp.forward(rows(d.x().get(s), r * 8, 8));
                    new MseLoss().apply(out, rows(d.y().get(s), r * 8, 8)).backward();
                    ddp.finishGradients();
                    last = ddp.lastStep();
                    m.zeroGrad();
                }
                return last;
            }, 30));
            for (Object o : res) {
                SyncStats s = assertInstanceOf(SyncStats.class, o);
                assertTrue(s.bucketsStartedInBackward() >= 1, "a bucket's all-reduce starts before backward "
                        + "returns: " + s);
                assertEquals(s.buckets(), s.bucketsStartedInBackward(), "every parameter is used, so every bucket "
                        + "starts from a hook: " + s);
                assertTrue(s.bytes() > 0 && s.commMs() >= 0 && s.exposedMs() >= 0 && s.hiddenMs() >= 0, s.toString());
                assertTrue(s.overlap() >= 0 && s.overlap() <= 1, s.toString());
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    @Timeout(30)
    void aParameterMismatchAcrossRanksFailsEveryRankNamingIt() {
        int p = 3;
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            List<Object> res = DdpRanks.run(p, r -> new DistributedDataParallel(mlp(7, r == 2 ? HIDDEN + 1 : HIDDEN),
                    groups.get(r)), 20);
            for (int r = 0; r < p; r++) {
                IllegalStateException e = assertInstanceOf(IllegalStateException.class, res.get(r),
                        "rank " + r + ": " + res.get(r));
                String msg = e.getMessage();
                assertTrue(msg.contains("entry #0") && msg.contains("'0.weight'") && msg.contains("[16,4]")
                        && msg.contains("[17,4]") && msg.contains("rank 2"), msg);
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    @Timeout(30)
    void buffersAreBroadcastFromRankZero() {
        int p = 2;
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            Data d = Data.make(1, 8 * p, false);
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Rng rng = new Rng(5);
                BatchNorm1d bn = new BatchNorm1d(IN);
                Module m = new Sequential(bn, new Linear(IN, OUT, rng));
                bn.namedBuffers().get("running_mean").copyFrom(Tensor.full(r + 1f, IN)); // differs per rank
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r));
                float[] afterInit = bn.namedBuffers().get("running_mean").toFloatArray();
                // each rank's own forward moves its statistics differently; the next forward re-syncs them
                Tensor x = rows(d.x().get(0), r * 8, 8).add(r * 10f);
                new MseLoss().apply(ddp.forward(x), rows(d.y().get(0), r * 8, 8)).backward();
                ddp.finishGradients();
                ddp.beforeForward();
                return new float[][] {afterInit, bn.namedBuffers().get("running_mean").toFloatArray()};
            }, 20));
            float[][] r0 = (float[][]) res.get(0);
            float[][] r1 = (float[][]) res.get(1);
            assertArrayEquals(new float[] {1, 1, 1, 1}, r1[0], "construction broadcasts rank 0's buffers");
            assertArrayEquals(r0[1], r1[1], "beforeForward broadcasts rank 0's running statistics");
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    @Timeout(30)
    void aSecondSynchronisedBackwardWithoutFinishIsAClearError() {
        int p = 2;
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            Data d = Data.make(1, 4 * p, false);
            List<Object> res = DdpRanks.run(p, r -> {
                Module m = mlp(1, HIDDEN);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r));
                new MseLoss().apply(ddp.forward(rows(d.x().get(0), r * 4, 4)), rows(d.y().get(0), r * 4, 4))
                        .backward();
                try {
                    ddp.forward(rows(d.x().get(0), r * 4, 4));
                    return "no error";
                } catch (IllegalStateException e) {
                    ddp.finishGradients(); // still completes the step
                    return e.getMessage();
                }
            }, 20);
            for (Object o : res) {
                assertTrue(o instanceof String s && s.contains("finishGradients() was not called"), o.toString());
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    void aGroupOfOneIsANoOp() {
        Module m = mlp(1, HIDDEN);
        try (ProcessGroup g = new SingleProcessGroup()) {
            DistributedDataParallel ddp = new DistributedDataParallel(m, g);
            new MseLoss().apply(ddp.forward(Tensor.ones(2, IN)), Tensor.zeros(2, OUT)).backward();
            float[] before = m.parameters().get(0).grad().toFloatArray();
            assertTrue(ddp.finishGradients());
            assertArrayEquals(before, m.parameters().get(0).grad().toFloatArray());
            assertEquals(SyncStats.NONE, ddp.lastStep());
            assertFalse(GradientSync.none().anyRank(false));
        }
    }
}
