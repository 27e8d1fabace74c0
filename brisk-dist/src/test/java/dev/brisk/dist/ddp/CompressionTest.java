package dev.brisk.dist.ddp;

import static dev.brisk.dist.ddp.DistributedDataParallelTest.HIDDEN;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.mlp;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.rows;
import static dev.brisk.dist.ddp.DistributedDataParallelTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.ddp.DdpRanks.Impl;
import dev.brisk.dist.ddp.DistributedDataParallelTest.Data;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.MseLoss;
import dev.brisk.optim.LossScaler;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Sgd;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DDP gradient compression: the 16-bit casts, top-k with error feedback, and their codec. */
class CompressionTest {

    // ---- codec -------------------------------------------------------------------------------------------------

    @Test
    void bf16RoundsToNearestEvenAndFp16OverflowsToInfinity() {
        assertEquals(0x3F80, BucketCodec.half(1f, true));
        assertEquals(1f, BucketCodec.full(BucketCodec.half(1f + 0x1p-8f, true), true)); // tie → even (down)
        assertEquals(1f + 0x1p-6f, BucketCodec.full(BucketCodec.half(1f + 3 * 0x1p-8f, true), true)); // tie → up
        assertEquals(1f + 0x1p-7f, BucketCodec.full(BucketCodec.half(1f + 0x1p-7f + 0x1p-10f, true), true));
        assertEquals(-2.5f, BucketCodec.full(BucketCodec.half(-2.5f, true), true));
        assertTrue(Float.isNaN(BucketCodec.full(BucketCodec.half(Float.NaN, true), true)));
        assertEquals(Float.POSITIVE_INFINITY, BucketCodec.full(BucketCodec.half(1e6f, false), false));
        assertEquals(Float.NEGATIVE_INFINITY, BucketCodec.full(BucketCodec.half(-1e6f, false), false));
        assertEquals(Float.POSITIVE_INFINITY, BucketCodec.full(BucketCodec.half(65520f, false), false));
        assertEquals(65504f, BucketCodec.full(BucketCodec.half(65519f, false), false)); // rounds down to the max
        assertEquals(Float.NEGATIVE_INFINITY,
                BucketCodec.full(BucketCodec.half(Float.NEGATIVE_INFINITY, false), false));
        assertTrue(Float.isNaN(BucketCodec.full(BucketCodec.half(Float.NaN, false), false)));
        assertEquals(0.5f, BucketCodec.full(BucketCodec.half(0.5f, false), false));
    }

    @Test
    void selectFindsTheOrderStatistic() {
        Rng rng = new Rng(3);
        for (int n : new int[] {1, 2, 7, 100, 1001}) {
            float[] a = Tensor.randn(rng, n).toFloatArray();
            a[n / 2] = a[0]; // ties
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            for (int idx : new int[] {0, n / 3, n / 2, n - 1}) {
                assertEquals(sorted[idx], BucketCodec.select(a.clone(), idx), "n=" + n + " index " + idx);
            }
        }
    }

    @Test
    void sixteenBitPayloadDecodesToTheAverageWithinHalfPrecision() {
        int n = 7;
        int m = 2;
        float[][] ranks = {{1f, -2f, 0.1f, 3e-3f, 100f, -7.25f, 0.3f, 1f, 0f}, {3f, 2f, 0.2f, 1e-3f, 50f, 0.25f, 0.1f,
                1f, 1f}};
        for (boolean bf : new boolean[] {true, false}) {
            BucketCodec c = new BucketCodec(bf ? Compression.bf16() : Compression.fp16(), n, m, 2);
            assertEquals(4 + m, c.payload); // ⌈7/2⌉ words + flags
            c.encode(ranks[0], 0);
            c.encode(ranks[1], 1);
            float[] out = new float[n + m];
            c.decode(out);
            double tol = bf ? 0x1p-8 : 0x1p-11;
            for (int i = 0; i < n; i++) {
                double avg = (ranks[0][i] + ranks[1][i]) / 2.0;
                assertEquals(avg, out[i], tol * Math.abs(avg) * 2 + 1e-7, (bf ? "bf16" : "fp16") + " element " + i);
            }
            assertEquals(1f, out[n]);
            assertEquals(0.5f, out[n + 1]);
        }
    }

    @Test
    void topKSendsTheLargestAndKeepsTheRestAsResidualExactly() {
        int n = 50;
        Rng rng = new Rng(9);
        BucketCodec c = new BucketCodec(Compression.topK(0.1), n, 1, 1);
        float[] acc = new float[n];
        float[] total = new float[n];
        for (int step = 0; step < 3; step++) {
            float[] g = Arrays.copyOf(Tensor.randn(rng, n).toFloatArray(), n + 1);
            g[n] = 1f;
            for (int i = 0; i < n; i++) {
                acc[i] += g[i]; // what error feedback must account for: all gradients so far
            }
            float[] kept = c.residual().clone();
            c.encode(g, 0);
            float[] sent = new float[n + 1];
            c.decode(sent);
            int nonzero = 0;
            float smallestSent = Float.MAX_VALUE;
            float largestKept = 0;
            for (int i = 0; i < n; i++) {
                // decode(encode(u)) + r == u exactly, with u = g + the previous residual
                assertEquals(g[i] + kept[i], sent[i] + c.residual()[i], 0f, "element " + i);
                total[i] += sent[i];
                // error feedback telescopes: everything sent so far + what is kept = all gradients so far
                assertEquals(acc[i], total[i] + c.residual()[i], 1e-5, "telescoping, element " + i);
                if (sent[i] != 0) {
                    nonzero++;
                    smallestSent = Math.min(smallestSent, Math.abs(sent[i]));
                    assertEquals(0f, c.residual()[i]);
                } else {
                    largestKept = Math.max(largestKept, Math.abs(c.residual()[i]));
                }
            }
            assertEquals(5, nonzero, "k = ⌈0.1·50⌉");
            assertTrue(smallestSent >= largestKept, "the k largest magnitudes are sent");
            assertEquals(1f, sent[n], "flags exact");
        }
    }

    // ---- DDP ---------------------------------------------------------------------------------------------------

    /** p ranks, SGD, MSE on the MLP; each rank's final weights, and the first step's averaged gradients. */
    private static List<Object[]> train(Impl impl, int p, Compression c, int steps) {
        Data d = Data.make(steps, 4 * p, false);
        List<ProcessGroup> groups = DdpRanks.groups(impl, p);
        try {
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = mlp(7 + r, HIDDEN);
                var opts = DistributedDataParallel.Options.defaults().withBucketCaps(300, 700).withCompression(c);
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts);
                Optimizer opt = Optimizer.of(Sgd.plain(), 0.05, m.namedParameters(), 0);
                float[] firstGrad = null;
                for (int s = 0; s < steps; s++) {
                    new MseLoss().apply(ddp.forward(rows(d.x().get(s), 4 * r, 4)), rows(d.y().get(s), 4 * r, 4))
                            .backward();
                    ddp.finishGradients();
                    if (s == 0) {
                        firstGrad = m.namedParameters().get("0.weight").grad().toFloatArray();
                    }
                    opt.step();
                    opt.zeroGrad();
                }
                return new Object[] {snapshot(m), firstGrad};
            }, 60));
            List<Object[]> out = new ArrayList<>();
            res.forEach(o -> out.add((Object[]) o));
            return out;
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @SuppressWarnings("unchecked")
    private static void checkSixteenBit(Impl impl, int p, Compression c, double relTol) {
        List<Object[]> exact = train(impl, p, Compression.none(), 4);
        List<Object[]> half = train(impl, p, c, 4);
        float[] g0 = (float[]) exact.get(0)[1];
        float[] g1 = (float[]) half.get(0)[1];
        double maxG = 0;
        double maxDiff = 0;
        for (int i = 0; i < g0.length; i++) {
            maxG = Math.max(maxG, Math.abs(g0[i]));
            maxDiff = Math.max(maxDiff, Math.abs(g0[i] - g1[i]));
        }
        assertTrue(maxDiff > 0, "the compressed gradients should not be exact");
        assertTrue(maxDiff <= relTol * maxG, c.kind() + ": gradient differs by " + maxDiff + " of " + maxG);
        for (int r = 0; r < p; r++) {
            Map<String, float[]> w = (Map<String, float[]>) half.get(r)[0];
            Map<String, float[]> ref = (Map<String, float[]>) exact.get(r)[0];
            DistributedDataParallelTest.assertClose(ref, w, 1e-3, c.kind() + " rank " + r);
            for (String n : w.keySet()) {
                assertArrayEquals(((Map<String, float[]>) half.get(0)[0]).get(n), w.get(n), "replicas diverged");
            }
        }
    }

    @Test
    @Timeout(60)
    void bf16CompressedDdpMatchesUncompressedWithinBf16Precision() {
        checkSixteenBit(Impl.THREAD, 2, Compression.bf16(), 2 * 0x1p-8);
        checkSixteenBit(Impl.TCP, 3, Compression.bf16(), 3 * 0x1p-8);
    }

    @Test
    @Timeout(60)
    void fp16CompressedDdpMatchesUncompressedWithinFp16Precision() {
        checkSixteenBit(Impl.THREAD, 2, Compression.fp16(), 2 * 0x1p-11);
    }

    /**
     * A loss scale of 2^30 makes the scaled gradients finite in F32 but far beyond fp16's range: the fp16 wire
     * format must carry that overflow as inf, so the loss scaler sees it, skips the step on every rank and backs
     * off (a clamp to ±65504 would have let the clipped step through).
     */
    @Test
    @Timeout(60)
    void anFp16OverflowOnTheWireReachesTheLossScalerAndSkipsTheStep() {
        int p = 2;
        Data d = Data.make(1, 4 * p, false);
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = mlp(7, HIDDEN);
                Map<String, float[]> before = snapshot(m);
                var opts = DistributedDataParallel.Options.defaults().withCompression(Compression.fp16());
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts);
                Optimizer opt = Optimizer.of(Sgd.plain(), 0.05, m.namedParameters(), 0);
                LossScaler scaler = LossScaler.dynamic(new LossScaler.Config(0x1p30, 2, 0.5, 2000, 1, 10));
                scaler.scale(new MseLoss().apply(ddp.forward(rows(d.x().get(0), 4 * r, 4)),
                        rows(d.y().get(0), 4 * r, 4))).backward();
                float largest = 0;
                for (Tensor t : m.parameters()) {
                    for (float g : t.grad().toFloatArray()) {
                        largest = Math.max(largest, Math.abs(g));
                    }
                }
                assertTrue(Float.isFinite(largest) && largest / p > 65520f, "scaled local gradient " + largest
                        + " should be finite but past fp16's range");
                ddp.finishGradients();
                boolean stepped = scaler.step(opt);
                scaler.update();
                return new Object[] {stepped, scaler.scale(), before, snapshot(m)};
            }, 60));
            for (Object o : res) {
                Object[] out = (Object[]) o;
                assertEquals(false, out[0], "the step should be skipped");
                assertEquals(0x1p29f, (float) out[1], "the scale should back off");
                @SuppressWarnings("unchecked")
                Map<String, float[]> before = (Map<String, float[]>) out[2];
                @SuppressWarnings("unchecked")
                Map<String, float[]> after = (Map<String, float[]>) out[3];
                before.forEach((n, w) -> assertArrayEquals(w, after.get(n), n + " changed"));
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    @Timeout(60)
    void topKWithErrorFeedbackConvergesAndCarriesTheResidual() {
        int p = 2;
        int in = 16;
        int out = 4;
        Rng rng = new Rng(21);
        Tensor trueW = Tensor.randn(rng, in, out);
        List<ProcessGroup> groups = DdpRanks.groups(Impl.THREAD, p);
        try {
            List<Object> res = DdpRanks.ok(DdpRanks.run(p, r -> {
                Module m = new Linear(in, out, new Rng(5));
                var opts = DistributedDataParallel.Options.defaults().withCompression(Compression.topK(0.1));
                DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r), opts);
                Optimizer opt = Optimizer.of(Sgd.plain(), 0.1, m.namedParameters(), 0);
                Rng data = new Rng(100 + r);
                double first = 0;
                double last = 0;
                double residual = 0;
                for (int s = 0; s < 300; s++) {
                    Tensor x = Tensor.randn(data, 16, in);
                    Tensor loss = new MseLoss().apply(ddp.forward(x), x.matmul(trueW));
                    if (s == 0) {
                        first = loss.item();
                    }
                    last = loss.item();
                    loss.backward();
                    ddp.finishGradients();
                    opt.step();
                    opt.zeroGrad();
                    if (s == 0) {
                        for (float v : ddp.residual(0)) {
                            residual += Math.abs(v);
                        }
                    }
                }
                return new double[] {first, last, residual};
            }, 60));
            for (Object o : res) {
                double[] v = (double[]) o;
                assertTrue(v[2] > 0, "after one step the unsent 90% must be kept as residual");
                assertTrue(v[1] < 0.05 * v[0], "top-k with error feedback should converge: loss " + v[0] + " -> "
                        + v[1]);
            }
        } finally {
            DdpRanks.closeAll(groups);
        }
    }

    @Test
    void compressionWithZeroIsRefused() {
        var o = DistributedDataParallel.Options.defaults().withZeroStage(1);
        assertThrows(IllegalArgumentException.class, () -> o.withCompression(Compression.bf16()));
        assertThrows(IllegalArgumentException.class, () -> Compression.topK(0));
    }
}
