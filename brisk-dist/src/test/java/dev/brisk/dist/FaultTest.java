package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mismatches, timeouts, missing and duplicate ranks, wrong tokens, malformed frames: precise errors, no hangs. */
class FaultTest {

    private static DistributedException failure(Object result, String what) {
        assertInstanceOf(DistributedException.class, result, what + " should have failed, got " + result);
        return (DistributedException) result;
    }

    @Test
    @Timeout(30)
    void mismatchedCollectivesFailWithBothDescriptions() {
        for (Ranks.Impl impl : Ranks.Impl.values()) {
            List<ProcessGroup> g = Ranks.groups(impl, 2, Duration.ofSeconds(5));
            try {
                List<Object> out = Ranks.run(2, r -> {
                    float[] b = new float[10];
                    if (r == 0) {
                        g.get(r).allReduce(b, Reduction.SUM);
                    } else {
                        g.get(r).broadcast(b, 0, 10, 0);
                    }
                    return "finished";
                }, 20);
                for (int r = 0; r < 2; r++) {
                    DistributedException e = failure(out.get(r), impl + " rank " + r);
                    assertTrue(e.getMessage().contains("broadcast #0 (f32×10 root 0)")
                            && e.getMessage().contains("allreduce #0 (f32×10 sum)"), e.getMessage());
                }
                // the group stays aborted
                DistributedException later = assertThrows(DistributedException.class,
                        () -> g.get(0).allReduce(new float[1], Reduction.SUM));
                assertTrue(later.getMessage().contains("aborted"), later.getMessage());
            } finally {
                Ranks.closeAll(g);
            }
        }
    }

    @Test
    @Timeout(30)
    void countMismatchIsCaughtOnTheFirstFrame() {
        List<ProcessGroup> g = Ranks.groups(Ranks.Impl.TCP, 3, Duration.ofSeconds(5));
        try {
            List<Object> out = Ranks.run(3, r -> {
                g.get(r).allReduce(new float[r == 1 ? 11 : 10], Reduction.MAX);
                return "finished";
            }, 20);
            int blamed = failure(out.get(0), "rank 0").failedRank();
            for (int r = 0; r < 3; r++) {
                DistributedException e = failure(out.get(r), "rank " + r);
                assertTrue(e.getMessage().contains("f32×11") && e.getMessage().contains("f32×10"), e.getMessage());
                // a pairwise mismatch cannot tell which side is odd, but every rank reports the same first failure
                assertEquals(blamed, e.failedRank(), e.getMessage());
                assertTrue(blamed == 0 || blamed == 1, "blamed one side of the mismatch: " + e.getMessage());
            }
        } finally {
            Ranks.closeAll(g);
        }
    }

    @Test
    @Timeout(30)
    void aRankThatNeverEntersTimesOutNamingIt() {
        for (Ranks.Impl impl : Ranks.Impl.values()) {
            List<ProcessGroup> g = Ranks.groups(impl, 2, Duration.ofMillis(700));
            try {
                long t0 = System.nanoTime();
                DistributedException e = assertThrows(DistributedException.class,
                        () -> g.get(0).allReduce(new float[100], Reduction.SUM));
                double s = (System.nanoTime() - t0) / 1e9;
                assertEquals(1, e.failedRank(), e.getMessage());
                assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("rank"), e.getMessage());
                assertTrue(s >= 0.6 && s < 5, "failed after " + s + " s with a 0.7 s timeout");
            } finally {
                Ranks.closeAll(g);
            }
        }
    }

    @Test
    @Timeout(30)
    void missingRankTimesOutListingTheAbsent() {
        String job = "missing-" + System.nanoTime();
        TcpStore store = Ranks.store(3, job);
        List<Object> out = Ranks.run(2, r -> TcpGroup.connect(Ranks.env(r, 3, store.port(), Duration.ofMillis(1500),
                job), r == 0 ? store : null), 20);
        store.close();
        for (Object o : out) {
            DistributedException e = failure(o, "rendezvous without rank 2");
            assertTrue(e.getMessage().contains("ranks [2]"), e.getMessage());
            assertEquals(2, e.failedRank());
        }
    }

    @Test
    @Timeout(30)
    void duplicateRankIsRejected() {
        String job = "dup-" + System.nanoTime();
        TcpStore store = Ranks.store(2, job);
        // two processes both claim rank 1; exactly one gets in and the group forms
        List<Object> out = Ranks.run(3, i -> TcpGroup.connect(Ranks.env(Math.min(i, 1), 2, store.port(),
                Duration.ofSeconds(5), job), i == 0 ? store : null), 20);
        List<ProcessGroup> formed = new ArrayList<>();
        int rejected = 0;
        for (Object o : out) {
            if (o instanceof ProcessGroup pg) {
                formed.add(pg);
            } else {
                DistributedException e = failure(o, "duplicate");
                assertTrue(e.getMessage().contains("duplicate rank"), e.getMessage());
                rejected++;
            }
        }
        assertEquals(1, rejected);
        assertEquals(2, formed.size());
        float[][] res = CollectivesTest.results(formed, i -> {
            float[] x = {formed.get(i).rank() + 1f};
            formed.get(i).allReduce(x, Reduction.SUM);
            return x;
        });
        assertEquals(3f, res[0][0]);
        Ranks.closeAll(formed);
    }

    @Test
    @Timeout(30)
    void wrongTokenIsRefusedAndTheGroupStillForms() throws Exception {
        String job = "token-" + System.nanoTime();
        int p = 3;
        TcpStore store = Ranks.store(p, job);
        // at the store
        DistributedException atStore = assertThrows(DistributedException.class, () -> StoreClient.connect("127.0.0.1",
                store.port(), "wrong-token-wrong-token", 2, job, 0, System.nanoTime() + 5_000_000_000L));
        assertTrue(atStore.getMessage().contains("refused") || atStore.getMessage().contains("secret"),
                atStore.getMessage());
        // at rank 0's mesh listener: a rogue connects while ranks 0 and 1 wait for rank 2
        var pending = new java.util.concurrent.CompletableFuture<List<Object>>();
        Thread first = Thread.ofPlatform().start(() -> pending.complete(Ranks.run(2, r -> TcpGroup.connect(
                Ranks.env(r, p, store.port(), Duration.ofSeconds(20), job), r == 0 ? store : null), 25)));
        byte[] addr;
        try (StoreClient spy = StoreClient.connect("127.0.0.1", store.port(), Ranks.TOKEN, 2, job, 0,
                System.nanoTime() + 5_000_000_000L)) {
            Map<String, byte[]> a = spy.waitAll(List.of(job + "/0/addr/0"), System.nanoTime() + 10_000_000_000L);
            addr = a.get(job + "/0/addr/0");
        }
        String[] hp = new String(addr, StandardCharsets.UTF_8).split("\n");
        var rogueResult = new java.util.concurrent.CompletableFuture<Throwable>();
        Socket rogue = new Socket(hp[0], Integer.parseInt(hp[1])); // first in rank 0's accept queue
        Thread.ofPlatform().start(() -> {
            try (rogue) {
                rogue.setSoTimeout(15_000);
                Handshake.client(rogue.getInputStream(), rogue.getOutputStream(),
                        "wrong-token-wrong-token".getBytes(StandardCharsets.UTF_8), Handshake.Purpose.MESH, 2, job, 0);
                rogueResult.complete(null);
            } catch (Throwable t) {
                rogueResult.complete(t);
            }
        });
        Thread.sleep(200);
        TcpGroup third = TcpGroup.connect(Ranks.env(2, p, store.port(), Duration.ofSeconds(20), job));
        first.join(25_000);
        assertInstanceOf(Handshake.Refused.class, rogueResult.get(15, java.util.concurrent.TimeUnit.SECONDS));
        List<ProcessGroup> g = new ArrayList<>();
        for (Object o : pending.get()) {
            if (o instanceof Throwable t) {
                throw new AssertionError(t);
            }
            g.add((ProcessGroup) o);
        }
        g.add(third);
        assertTrue(store.refusedConnections() >= 1, "the store should have refused the wrong token");
        assertTrue(((TcpGroup) g.get(0)).refusedConnections() >= 1, "rank 0 should have refused the rogue");
        float[][] res = CollectivesTest.results(g, r -> {
            float[] x = {r};
            g.get(r).allReduce(x, Reduction.SUM);
            return x;
        });
        assertEquals(3f, res[2][0]);
        Ranks.closeAll(g);
    }

    @Test
    void oversizedAndMalformedFramesAreRejectedBeforeAllocation() {
        ByteBuffer b = ByteBuffer.allocate(Frame.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        new Frame(Frame.DATA, OpDesc.reduce(OpDesc.Kind.ALLREDUCE, 3, 10, Reduction.SUM), 0, 40).encode(b);
        b.flip();
        assertDoesNotThrowFrame(b);
        b.putInt(24, Integer.MAX_VALUE);
        Frame.ProtocolException big = assertThrows(Frame.ProtocolException.class, () -> Frame.decode(b.rewind()));
        assertTrue(big.getMessage().contains("2147483647"), big.getMessage());
        b.putInt(24, 40).put(1, (byte) 99);
        assertThrows(Frame.ProtocolException.class, () -> Frame.decode(b.rewind()));
        b.put(1, (byte) 1).put(2, (byte) 7);
        assertThrows(Frame.ProtocolException.class, () -> Frame.decode(b.rewind()));
    }

    private static void assertDoesNotThrowFrame(ByteBuffer b) {
        try {
            Frame f = Frame.decode(b.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            assertEquals("allreduce #3 (f32×10 sum)", f.desc().toString());
        } catch (Frame.ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void distEnvValidatesWithClearMessages() {
        assertEquals(1, DistEnv.from(Map.of()).worldSize());
        IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class,
                () -> DistEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2")));
        assertTrue(noToken.getMessage().contains("BRISK_DIST_TOKEN"), noToken.getMessage());
        IllegalArgumentException badRank = assertThrows(IllegalArgumentException.class,
                () -> DistEnv.from(Map.of("RANK", "2", "WORLD_SIZE", "2", "BRISK_DIST_TOKEN", Ranks.TOKEN)));
        assertTrue(badRank.getMessage().contains("RANK must be in [0, WORLD_SIZE)"), badRank.getMessage());
        IllegalArgumentException notNumber = assertThrows(IllegalArgumentException.class,
                () -> DistEnv.from(Map.of("RANK", "x", "WORLD_SIZE", "2")));
        assertTrue(notNumber.getMessage().contains("RANK must be an integer"), notNumber.getMessage());
        IllegalArgumentException external = assertThrows(IllegalArgumentException.class,
                () -> DistEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2", "BRISK_DIST_TOKEN", Ranks.TOKEN,
                        "BRISK_MASTER_ADDR", "10.1.2.3")));
        assertTrue(external.getMessage().contains("BRISK_BIND_ADDR"), external.getMessage());
        DistEnv ok = DistEnv.from(Map.of("RANK", "1", "WORLD_SIZE", "2", "BRISK_DIST_TOKEN", Ranks.TOKEN,
                "BRISK_MASTER_PORT", "29555", "BRISK_DIST_TIMEOUT", "2.5"));
        assertEquals(Duration.ofMillis(2500), ok.timeout());
        assertTrue(!ok.toString().contains(Ranks.TOKEN), "the token must not be printed");
    }

    @AfterAll
    static void noThreadsLeak() throws InterruptedException {
        assertEquals(List.of(), Ranks.leakedThreads(), "threads still alive after every group was closed");
    }
}
