package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * Every collective against a float64 reference, for p ∈ {1, 2, 3, 4} and N ∈ {0, 1, p−1, p, p+1, 100003}
 * (empty chunks, partial chunks, several segments), on both implementations: results identical bit for bit on
 * every rank, reduce-scatter then all-gather equal to all-reduce.
 */
class CollectivesTest {

    static Stream<Arguments> worlds() {
        List<Arguments> a = new ArrayList<>();
        for (Ranks.Impl impl : Ranks.Impl.values()) {
            for (int p = 1; p <= 4; p++) {
                a.add(Arguments.of(impl, p));
            }
        }
        return a.stream();
    }

    static float[] input(int rank, int n, long salt) {
        SplittableRandom rnd = new SplittableRandom(salt * 1_000_003L + rank);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    @ParameterizedTest(name = "{0} p={1}")
    @MethodSource("worlds")
    @Timeout(60)
    void collectivesMatchTheReference(Ranks.Impl impl, int p) {
        List<ProcessGroup> groups = Ranks.groups(impl, p, Duration.ofSeconds(20));
        try {
            for (int n : new int[] {0, 1, Math.max(0, p - 1), p, p + 1, 100_003}) {
                checkSize(groups, p, n);
            }
        } finally {
            Ranks.closeAll(groups);
        }
    }

    private static void checkSize(List<ProcessGroup> groups, int p, int n) {
        for (Reduction op : Reduction.values()) {
            float[][] in = new float[p][];
            for (int r = 0; r < p; r++) {
                in[r] = input(r, n, n * 7L + op.ordinal());
            }
            // all-reduce, in a larger array at an offset
            float[][] ar = results(groups, r -> {
                float[] b = new float[n + 5];
                System.arraycopy(in[r], 0, b, 3, n);
                groups.get(r).allReduce(b, 3, n, op);
                assertEquals(0f, b[0]);
                assertEquals(0f, b[n + 4]);
                float[] out = new float[n];
                System.arraycopy(b, 3, out, 0, n);
                return out;
            });
            for (int i = 0; i < n; i++) {
                double ref = switch (op) {
                    case SUM, AVG -> {
                        double s = 0;
                        for (int r = 0; r < p; r++) {
                            s += in[r][i];
                        }
                        yield op == Reduction.AVG ? s / p : s;
                    }
                    case MAX -> {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int r = 0; r < p; r++) {
                            m = Math.max(m, in[r][i]);
                        }
                        yield m;
                    }
                    case MIN -> {
                        double m = Double.POSITIVE_INFINITY;
                        for (int r = 0; r < p; r++) {
                            m = Math.min(m, in[r][i]);
                        }
                        yield m;
                    }
                };
                assertEquals(ref, ar[0][i], 1e-5, op + " element " + i + " of " + n + " (p=" + p + ")");
            }
            assertBitwiseEqual(ar, op + " all-reduce n=" + n);

            // reduce-scatter then all-gather is the all-reduce, bit for bit
            float[][] rsag = results(groups, r -> {
                float[] b = in[r].clone();
                groups.get(r).reduceScatter(b, 0, n, op);
                Chunking c = groups.get(r).chunks(n);
                float[] mine = java.util.Arrays.copyOfRange(b, c.start(r), c.end(r));
                assertArrayEquals(java.util.Arrays.copyOfRange(ar[r], c.start(r), c.end(r)), mine,
                        "reduce-scatter chunk of rank " + r);
                groups.get(r).allGather(b, 0, n);
                return b;
            });
            for (int r = 0; r < p; r++) {
                assertArrayEquals(ar[r], rsag[r], op + ": RS+AG != AR on rank " + r + ", n=" + n);
            }
        }
        float[][] in = new float[p][];
        for (int r = 0; r < p; r++) {
            in[r] = input(r, n, 99);
        }
        // all-gather: chunk r comes from rank r
        float[][] ag = results(groups, r -> {
            float[] b = new float[n];
            Chunking c = groups.get(r).chunks(n);
            System.arraycopy(in[r], c.start(r), b, c.start(r), c.length(r));
            groups.get(r).allGather(b, 0, n);
            return b;
        });
        Chunking c = new Chunking(n, p);
        for (int r = 0; r < p; r++) {
            for (int q = 0; q < p; q++) {
                assertArrayEquals(java.util.Arrays.copyOfRange(in[q], c.start(q), c.end(q)),
                        java.util.Arrays.copyOfRange(ag[r], c.start(q), c.end(q)), "all-gather chunk " + q);
            }
        }
        // broadcast from the last rank
        float[][] bc = results(groups, r -> {
            float[] b = in[r].clone();
            groups.get(r).broadcast(b, 0, n, p - 1);
            return b;
        });
        for (int r = 0; r < p; r++) {
            assertArrayEquals(in[p - 1], bc[r], "broadcast to rank " + r);
        }
        // send/recv around the ring, and a barrier
        if (p > 1) {
            float[][] got = results(groups, r -> {
                float[] b = new float[n];
                groups.get(r).send(in[r], 0, n, (r + 1) % p);
                groups.get(r).recv(b, 0, n, (r - 1 + p) % p);
                groups.get(r).barrier();
                return b;
            });
            for (int r = 0; r < p; r++) {
                assertArrayEquals(in[(r - 1 + p) % p], got[r], "recv on rank " + r);
            }
        }
    }

    interface RankBody {
        float[] apply(int rank);
    }

    static float[][] results(List<ProcessGroup> groups, RankBody body) {
        List<Object> out = Ranks.run(groups.size(), body::apply, 60);
        float[][] res = new float[out.size()][];
        for (int r = 0; r < out.size(); r++) {
            if (out.get(r) instanceof Throwable t) {
                throw new AssertionError("rank " + r + " failed", t);
            }
            res[r] = (float[]) out.get(r);
        }
        return res;
    }

    static void assertBitwiseEqual(float[][] perRank, String what) {
        for (int r = 1; r < perRank.length; r++) {
            for (int i = 0; i < perRank[0].length; i++) {
                if (Float.floatToRawIntBits(perRank[0][i]) != Float.floatToRawIntBits(perRank[r][i])) {
                    throw new AssertionError(what + ": rank " + r + " differs from rank 0 at " + i + ": "
                            + perRank[r][i] + " vs " + perRank[0][i]);
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void asyncAllReducesOverlapAndCompleteInOrder() {
        for (Ranks.Impl impl : Ranks.Impl.values()) {
            int p = 3;
            List<ProcessGroup> groups = Ranks.groups(impl, p, Duration.ofSeconds(20));
            try {
                float[][] res = results(groups, r -> {
                    float[][] buckets = new float[5][];
                    List<Work> works = new ArrayList<>();
                    for (int b = 0; b < buckets.length; b++) {
                        buckets[b] = new float[1000 * (b + 1) + 300_000 * (b % 2)];
                        java.util.Arrays.fill(buckets[b], r + b);
                        works.add(groups.get(r).allReduceAsync(buckets[b], 0, buckets[b].length, Reduction.SUM));
                    }
                    for (Work w : works) {
                        w.await();
                        assertTrue(w.isDone());
                    }
                    float[] firsts = new float[buckets.length];
                    for (int b = 0; b < buckets.length; b++) {
                        for (float v : buckets[b]) {
                            assertEquals(3 + 3 * b, v, 0, "bucket " + b);
                        }
                        firsts[b] = buckets[b][0];
                    }
                    return firsts;
                });
                assertBitwiseEqual(res, impl + " async");
            } finally {
                Ranks.closeAll(groups);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Ranks.Impl.class, names = {"TCP", "SHM"})
    @Timeout(30)
    void tcpRingSendsTheBandwidthOptimalByteCount(Ranks.Impl impl) {
        int p = 4;
        int n = 1_000_003;
        List<ProcessGroup> groups = Ranks.groups(impl, p, Duration.ofSeconds(20));
        try {
            results(groups, r -> {
                float[] b = new float[n];
                for (int i = 0; i < n; i++) {
                    b[i] = r + i % 5;
                }
                long before = ((TcpGroup) groups.get(r)).bytesSent();
                groups.get(r).allReduce(b, Reduction.SUM);
                long sent = ((TcpGroup) groups.get(r)).bytesSent() - before;
                for (int i = 0; i < n; i++) {
                    assertEquals(6f + 4 * (i % 5), b[i], 0f, "element " + i + " (several segments per chunk)");
                }
                long payload = 2L * (p - 1) * ((n + p - 1) / p) * 4;
                assertTrue(sent <= payload * 1.01 && sent >= 2L * (p - 1) * (n / p) * 4,
                        "rank " + r + " sent " + sent + " bytes, expected about 2(p-1)/p·N = " + payload);
                return new float[0];
            });
        } finally {
            Ranks.closeAll(groups);
        }
    }

    /**
     * Two ranks each send the other a message far larger than the receiver's read buffers and the socket buffers
     * before either posts its receive (the crossing sends of a 1F1B pipeline). A send that waited for the write
     * would block both ranks until the group timeout.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    @Timeout(60)
    void crossingSendsOfManyMegabytesCompleteBeforeTheReceives(Ranks.Impl impl) {
        int n = 4 << 20; // 16 MiB each way
        List<ProcessGroup> groups = Ranks.groups(impl, 2, Duration.ofSeconds(5));
        try {
            List<Object> got = Ranks.run(2, r -> {
                ProcessGroup g = groups.get(r);
                float[] out = input(r, n, 11);
                float[] sent = out.clone();
                g.send(out, 0, n, 1 - r);
                java.util.Arrays.fill(out, Float.NaN); // the send completed: the buffer is the caller's again
                float[] in = new float[n];
                g.recv(in, 0, n, 1 - r);
                return List.of(sent, in);
            }, 60);
            for (int r = 0; r < 2; r++) {
                if (got.get(r) instanceof Throwable t) {
                    throw new AssertionError("rank " + r + " failed", t);
                }
            }
            for (int r = 0; r < 2; r++) {
                float[] sentByPeer = (float[]) ((List<?>) got.get(1 - r)).get(0);
                assertArrayEquals(sentByPeer, (float[]) ((List<?>) got.get(r)).get(1), "rank " + r + " received");
            }
        } finally {
            Ranks.closeAll(groups);
        }
    }

    static Stream<Ranks.Impl> impls() {
        return Stream.of(Ranks.Impl.values());
    }

    @Test
    void singleProcessGroupIsANoOp() {
        try (ProcessGroup g = Rendezvous.join(DistEnv.single())) {
            float[] x = {1, 2, 3};
            g.allReduce(x, Reduction.AVG);
            g.broadcast(x, 0, 3, 0);
            g.barrier();
            assertArrayEquals(new float[] {1, 2, 3}, x);
            assertTrue(g.allReduceAsync(x, 0, 3, Reduction.SUM).isDone());
        }
    }

    @Test
    void tensorOverloadsWorkOnContiguousF32() {
        List<ProcessGroup> groups = Ranks.groups(Ranks.Impl.THREAD, 2, Duration.ofSeconds(10));
        try {
            results(groups, r -> {
                var t = dev.brisk.tensor.Tensor.full(r + 1, 2, 3);
                groups.get(r).allReduce(t, Reduction.SUM);
                assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3}, t.toFloatArray());
                var out = dev.brisk.tensor.Tensor.zeros(3);
                groups.get(r).reduceScatter(t, out, Reduction.SUM);
                assertArrayEquals(new float[] {6, 6, 6}, out.toFloatArray());
                var all = dev.brisk.tensor.Tensor.zeros(6);
                groups.get(r).allGather(dev.brisk.tensor.Tensor.full(r, 3), all);
                assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1}, all.toFloatArray());
                return new float[0];
            });
        } finally {
            Ranks.closeAll(groups);
        }
    }

    @AfterAll
    static void noThreadsLeak() throws InterruptedException {
        assertEquals(List.of(), Ranks.leakedThreads(), "threads still alive after every group was closed");
    }
}
