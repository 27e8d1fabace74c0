package dev.brisk.dist.tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Ranks;
import dev.brisk.dist.ddp.DistributedDataParallel;
import dev.brisk.nn.TransformerBlock;
import dev.brisk.nn.loss.Losses;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tensor-parallel transformer block against the dense block it was split from: same outputs, same input
 * gradient, and each shard's parameter gradients equal the matching slice of the dense gradients; 2 all-reduces
 * forward and 2 backward; tensor × data parallel at 2×1, 1×2 and 2×2 equal to dense training on the whole batch.
 */
class TpTransformerBlockTest {

    private static final int C = 8;
    private static final int HEADS = 4;
    private static final int B = 4;
    private static final int T = 5;

    static TransformerBlock dense() {
        // residual dropout on: the replicated stream must reproduce the dense block's masks
        return dense(0.2);
    }

    static TransformerBlock dense(double dropout) {
        return new TransformerBlock(C, HEADS, true, 4, dropout, new Rng(11));
    }

    /** Dense gradients by name after backward of mse(block(x), y). */
    record Dense(float[] out, float[] inputGrad, Map<String, Tensor> grads) {
    }

    static Dense runDense(Tensor x, Tensor y) {
        return runDense(dense(), x, y);
    }

    static Dense runDense(TransformerBlock block, Tensor x, Tensor y) {
        Tensor in = x.detach().copy().requiresGrad(true);
        Tensor out = block.forward(in);
        Losses.mse(out, y).backward();
        Map<String, Tensor> g = new LinkedHashMap<>();
        block.namedParameters().forEach((n, p) -> g.put(n, p.grad()));
        return new Dense(out.toFloatArray(), in.grad().toFloatArray(), g);
    }

    /** The slice of a dense gradient that TP rank r of t holds for parameter {@code name}. */
    static Tensor expectedShard(String name, Tensor dense, int r, int t) {
        return switch (name) {
            case "attn.qkv.weight", "attn.qkv.bias" -> TpShards.rowsOfBlocks(dense, 3, r * C / t, C / t);
            case "attn.proj.weight" -> dense.narrow(1, r * C / t, C / t);
            case "mlp.0.weight", "mlp.0.bias" -> dense.narrow(0, r * 4 * C / t, 4 * C / t);
            case "mlp.2.weight" -> dense.narrow(1, r * 4 * C / t, 4 * C / t);
            default -> dense;
        };
    }

    static String denseName(String tpName) {
        return tpName.replace("mlp.fc1.", "mlp.0.").replace("mlp.fc2.", "mlp.2.");
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > 2e-5 + 1e-4 * Math.abs(want[i])) {
                fail(what + "[" + i + "]: expected " + want[i] + ", got " + got[i]);
            }
        }
    }

    void checkTensorParallel(Ranks.Impl impl, int t) {
        Rng data = new Rng(3);
        Tensor x = Tensor.randn(data, B, T, C);
        Tensor y = Tensor.randn(data, B, T, C);
        Dense ref = runDense(x, y);
        List<ProcessGroup> groups = Ranks.groups(impl, t, Duration.ofSeconds(30));
        List<Object> res = Ranks.run(t, r -> {
            try (ProcessGroup g = groups.get(r)) {
                TpTransformerBlock block = TpTransformerBlock.shard(dense(), HEADS, true, g, 0, 11);
                Tensor in = x.detach().copy().requiresGrad(true);
                Tensor out = block.forward(in);
                Losses.mse(out, y).backward();
                assertClose(ref.out(), out.toFloatArray(), "output on rank " + r);
                assertClose(ref.inputGrad(), in.grad().toFloatArray(), "input gradient on rank " + r);
                block.namedParameters().forEach((n, p) -> {
                    String dn = denseName(n);
                    Tensor want = expectedShard(dn, ref.grads().get(dn), r, t);
                    assertEquals(Arrays.toString(want.shape()), Arrays.toString(p.shape()), n);
                    assertClose(want.toFloatArray(), p.grad().toFloatArray(), "grad " + n + " on rank " + r);
                });
                return null;
            }
        }, 60);
        for (Object o : res) {
            if (o instanceof Throwable e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void twoRanksMatchTheDenseBlock() {
        checkTensorParallel(Ranks.Impl.THREAD, 2);
    }

    @Test
    void fourRanksOverTcpMatchTheDenseBlock() {
        checkTensorParallel(Ranks.Impl.TCP, 4);
    }

    @Test
    void twoAllReducesForwardAndTwoBackwardPerBlock() {
        List<ProcessGroup> groups = Ranks.groups(Ranks.Impl.THREAD, 2, Duration.ofSeconds(30));
        Tensor x = Tensor.randn(new Rng(1), 2, 3, C);
        long f0 = TpRegions.forwardAllReduces();
        long b0 = TpRegions.backwardAllReduces();
        Ranks.run(2, r -> {
            try (ProcessGroup g = groups.get(r)) {
                TpTransformerBlock block = TpTransformerBlock.shard(dense(), HEADS, true, g, 0, 11);
                Tensor in = x.detach().copy().requiresGrad(true);
                block.forward(in).sum().backward();
                return null;
            }
        }, 60);
        // two ranks, each 2 forward + 2 backward (the counters are global: tests in one JVM run one at a time)
        assertEquals(4, TpRegions.forwardAllReduces() - f0);
        assertEquals(4, TpRegions.backwardAllReduces() - b0);
    }

    @Test
    void replicatedDropoutAgreesAcrossRanksAndPartitionedDropoutDiffers() {
        float[] a = Tensor.rand(TpRng.replicated(5), 64).toFloatArray();
        float[] b = Tensor.rand(TpRng.replicated(5), 64).toFloatArray();
        assertClose(a, b, "replicated stream");
        float[] p0 = Tensor.rand(TpRng.partitioned(5, 0), 64).toFloatArray();
        float[] p1 = Tensor.rand(TpRng.partitioned(5, 1), 64).toFloatArray();
        assertFalse(Arrays.equals(p0, p1));
        assertFalse(Arrays.equals(a, p0));
        // with head dropout the two ranks' partitioned masks differ, yet the block output stays replicated
        List<ProcessGroup> groups = Ranks.groups(Ranks.Impl.THREAD, 2, Duration.ofSeconds(30));
        Tensor x = Tensor.randn(new Rng(1), 2, 3, C);
        List<Object> outs = Ranks.run(2, r -> {
            try (ProcessGroup g = groups.get(r)) {
                TpTransformerBlock block = TpTransformerBlock.shard(dense(), HEADS, true, g, 0.5, 11);
                return block.forward(x).toFloatArray();
            }
        }, 60);
        assertClose((float[]) outs.get(0), (float[]) outs.get(1), "replicated output");
        assertNotEquals(Arrays.toString(runDense(x, x).out()), Arrays.toString((float[]) outs.get(0)),
                "head dropout had no effect");
    }

    /** tp × dp: each replica takes B/dp rows; DDP averages over dp; the gradients equal dense full-batch ones. */
    void checkGrid(int tp, int dp) {
        Rng data = new Rng(8);
        Tensor x = Tensor.randn(data, B, T, C);
        Tensor y = Tensor.randn(data, B, T, C);
        // no dropout here: a data-parallel replica draws its mask for its rows only, so masks cannot match the dense
        // block's over the whole batch
        Dense ref = runDense(dense(0), x, y);
        List<TpDpGrid> grid = TpDpGrid.threads(tp, dp, Duration.ofSeconds(30));
        List<Object> res = Ranks.run(tp * dp, g -> {
            TpDpGrid me = grid.get(g);
            TpTransformerBlock block = TpTransformerBlock.shard(dense(0), HEADS, true, me.tp(), 0, 11);
            try (DistributedDataParallel ddp = new DistributedDataParallel(block, me.dp())) {
                int rows = B / dp;
                Tensor xi = x.narrow(0, me.dpRank() * rows, rows).contiguous();
                Tensor yi = y.narrow(0, me.dpRank() * rows, rows).contiguous();
                Losses.mse(ddp.forward(xi), yi).backward();
                ddp.finishGradients();
                block.namedParameters().forEach((n, p) -> {
                    String dn = denseName(n);
                    Tensor want = expectedShard(dn, ref.grads().get(dn), me.tpRank(), tp);
                    assertClose(want.toFloatArray(), p.grad().toFloatArray(), "grad " + n + " on rank " + g);
                });
            } finally {
                me.tp().close();
                me.dp().close();
            }
            return null;
        }, 60);
        for (Object o : res) {
            if (o instanceof Throwable e) {
                throw new AssertionError(tp + "x" + dp, e);
            }
        }
    }

    @Test
    void tensorTimesDataParallelMatchesDenseTraining() {
        checkGrid(2, 1);
        checkGrid(1, 2);
        checkGrid(2, 2);
    }
}
