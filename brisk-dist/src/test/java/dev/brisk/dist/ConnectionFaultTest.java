package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The network between two ranks misbehaving, through a {@link FaultProxy} placed on rank 1's connection to rank 0
 * (rank 0's published address is swapped for the proxy's before rank 1 looks it up): a slow link still gives exact
 * results; a link cut mid all-reduce and a link that stalls both end with every rank failing within the timeout,
 * naming the other. Garbage sent to the rendezvous port while a group forms is refused without disturbing it.
 */
class ConnectionFaultTest {

    /** Formation and every operation; formation here is in one JVM, so it is quick even on a loaded machine. */
    private static final Duration TIMEOUT = Duration.ofSeconds(6);

    /**
     * A formed 2-rank TCP group whose only connection runs through {@code proxy[0]} (set by this method); with
     * {@code shm} the payloads take the shared-memory ring and only the frame headers cross the proxy.
     */
    private static List<ProcessGroup> groupThroughProxy(FaultProxy[] proxy, boolean shm) throws Exception {
        String job = "proxy-" + System.nanoTime();
        TcpStore store = Ranks.store(2, job);
        var rank0 = new java.util.concurrent.CompletableFuture<Object>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                rank0.complete(TcpGroup.connect(Ranks.env(0, 2, store.port(), TIMEOUT, job), store, shm));
            } catch (Throwable t) {
                rank0.complete(t);
            }
        });
        String key = job + "/0/addr/0";
        try (StoreClient spy = StoreClient.connect("127.0.0.1", store.port(), Ranks.TOKEN, 1, job, 0,
                System.nanoTime() + 10_000_000_000L)) {
            byte[] addr = spy.waitAll(List.of(key), System.nanoTime() + 20_000_000_000L).get(key);
            String[] hp = new String(addr, StandardCharsets.UTF_8).split("\n");
            proxy[0] = new FaultProxy(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
            spy.set(key, ("127.0.0.1\n" + proxy[0].port()).getBytes(StandardCharsets.UTF_8));
        }
        ProcessGroup one = TcpGroup.connect(Ranks.env(1, 2, store.port(), TIMEOUT, job), null, shm);
        Object zero = rank0.get(30, java.util.concurrent.TimeUnit.SECONDS);
        if (zero instanceof Throwable t) {
            throw new AssertionError("rank 0 did not form the group", t);
        }
        assertEquals(shm && Ranks.SHM_AVAILABLE ? 1 : 0, ((TcpGroup) one).sharedMemoryPeers());
        return List.of((ProcessGroup) zero, one);
    }

    private static List<Object> allReduceOnBoth(List<ProcessGroup> g, int n) {
        return Ranks.run(2, r -> {
            float[] x = new float[n];
            java.util.Arrays.fill(x, r + 1);
            g.get(r).allReduce(x, Reduction.SUM);
            return x;
        }, 60);
    }

    @Test
    @Timeout(120)
    void aSlowLinkStillGivesExactResults() throws Exception {
        FaultProxy[] proxy = new FaultProxy[1];
        List<ProcessGroup> g = groupThroughProxy(proxy, false);
        try {
            proxy[0].delayMillisPerChunk = 2;
            for (Object o : allReduceOnBoth(g, 200_000)) {
                float[] expect = new float[200_000];
                java.util.Arrays.fill(expect, 3f);
                assertArrayEquals(expect, (float[]) o);
            }
        } finally {
            Ranks.closeAll(g);
            proxy[0].close();
        }
    }

    @ParameterizedTest(name = "shared memory {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void aLinkCutMidAllReduceFailsBothRanksNamingThePeer(boolean shm) throws Exception {
        FaultProxy[] proxy = new FaultProxy[1];
        List<ProcessGroup> g = groupThroughProxy(proxy, shm);
        try {
            // over shared memory only headers cross the socket: cut after a few of them
            proxy[0].cutAfterBytes = proxy[0].forwardedBytes() + (shm ? 5 * Frame.HEADER + 10 : 300_000);
            List<Object> out = allReduceOnBoth(g, 2_000_000);
            // both ranks report the group's first failure, so they agree on whom it blames (one side of the cut)
            int blamed = assertInstanceOf(DistributedException.class, out.get(0), "rank 0").failedRank();
            assertTrue(blamed == 0 || blamed == 1, "blamed rank " + blamed);
            for (int r = 0; r < 2; r++) {
                DistributedException e = assertInstanceOf(DistributedException.class, out.get(r), "rank " + r);
                assertEquals(blamed, e.failedRank(), e.getMessage());
                assertTrue(e.getMessage().contains("connection to rank") || e.getMessage().contains("sending to rank")
                        || e.getMessage().contains("closed the connection"), e.getMessage());
            }
        } finally {
            Ranks.closeAll(g);
            proxy[0].close();
        }
    }

    @ParameterizedTest(name = "shared memory {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void aStalledLinkTimesOutOnBothRanks(boolean shm) throws Exception {
        FaultProxy[] proxy = new FaultProxy[1];
        List<ProcessGroup> g = groupThroughProxy(proxy, shm);
        try {
            proxy[0].stall = true;
            long t0 = System.nanoTime();
            List<Object> out = allReduceOnBoth(g, 100_000);
            double s = (System.nanoTime() - t0) / 1e9;
            for (int r = 0; r < 2; r++) {
                DistributedException e = assertInstanceOf(DistributedException.class, out.get(r), "rank " + r);
                assertTrue(e.getMessage().contains("timed out"), e.getMessage());
                assertTrue(e.getMessage().contains("rank " + (1 - r)), e.getMessage());
            }
            assertTrue(s < TIMEOUT.toSeconds() + 20, "took " + s + " s with a " + TIMEOUT.toSeconds() + " s timeout");
        } finally {
            Ranks.closeAll(g);
            proxy[0].close();
        }
    }

    @Test
    @Timeout(60)
    void garbageOnTheRendezvousPortIsRefusedAndTheGroupForms() throws Exception {
        String job = "garbage-" + System.nanoTime();
        TcpStore store = Ranks.store(2, job);
        List<Socket> held = new ArrayList<>();
        try {
            byte[] random = new byte[4096];
            new Random(7).nextBytes(random);
            for (byte[] junk : List.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                    random, new byte[] {0x42, 0x52, 0x53, 0x4B, 0, 1})) { // the last: a HELLO cut short, held open
                Socket s = new Socket("127.0.0.1", store.port());
                held.add(s);
                OutputStream o = s.getOutputStream();
                o.write(junk);
                o.flush();
            }
            List<Object> made = Ranks.run(2, r -> TcpGroup.connect(Ranks.env(r, 2, store.port(), Duration.ofSeconds(20),
                    job), r == 0 ? store : null), 40);
            List<ProcessGroup> g = new ArrayList<>();
            for (Object o : made) {
                if (o instanceof Throwable t) {
                    throw new AssertionError("the group did not form", t);
                }
                g.add((ProcessGroup) o);
            }
            for (Object o : allReduceOnBoth(g, 10)) {
                assertEquals(3f, ((float[]) o)[0]);
            }
            Ranks.closeAll(g);
            assertTrue(store.refusedConnections() >= 2, "refused " + store.refusedConnections());
        } finally {
            for (Socket s : held) {
                s.close();
            }
            store.close();
        }
    }

    @AfterAll
    static void noThreadsLeak() throws InterruptedException {
        assertEquals(List.of(), Ranks.leakedThreads(), "threads still alive after every group was closed");
    }
}
