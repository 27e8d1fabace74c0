package dev.brisk.dist;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Forms a group from a {@link DistEnv}: world size 1 gives a {@link SingleProcessGroup}; otherwise rank 0 hosts
 * a {@link TcpStore} and all ranks build a full TCP mesh through it ({@link TcpGroup}).
 *
 * <p>Steps, each bounded by the one rendezvous deadline ({@code BRISK_DIST_TIMEOUT}), every store key prefixed
 * with {@code job/generation/}:
 * <ol>
 *   <li>connect to the store (retrying while rank 0 is not up) and claim {@code rank/<r>} with an atomic add:
 *       a second process with the same rank is rejected;</li>
 *   <li>listen on the bind address (loopback by default, an ephemeral port) and publish {@code addr/<r>};</li>
 *   <li>wait for every rank's address; a timeout lists the ranks that never joined;</li>
 *   <li>connect to every lower rank and accept every higher one — one authenticated connection per pair; a
 *       connection that fails {@link Handshake} (wrong token, wrong job or generation, a rank already
 *       connected) is refused and logged, and accepting goes on;</li>
 *   <li>a store barrier ({@code ready/<r>}), so no rank starts a collective before every pair exists;</li>
 *   <li>ring neighbours on the same host map a shared-memory ring for their data ({@link SharedMemory}).</li>
 * </ol>
 */
public final class Rendezvous {

    private static final System.Logger LOG = System.getLogger("dev.brisk.dist");
    private static final int MAX_HANDSHAKE_MS = 10_000;

    /** The result: the store connection (kept for failure reports), the hosted store on rank 0, the mesh. */
    record Mesh(StoreClient store, TcpStore hosted, SocketChannel[] channels, ShmChannel[] shm, int refused) {
    }

    private Rendezvous() {
    }

    /** The group described by {@code env}: {@link SingleProcessGroup} for one rank, else {@link TcpGroup}. */
    public static ProcessGroup join(DistEnv env) {
        if (env.worldSize() == 1) {
            return new SingleProcessGroup(env.timeout());
        }
        return TcpGroup.connect(env);
    }

    /**
     * Steps 1–5 above, then shared memory between ring neighbours on one host if {@code shm} ({@link SharedMemory});
     * {@code hosted} is rank 0's already started store, or null to start one here.
     */
    static Mesh mesh(DistEnv env, TcpStore hosted, boolean shm) {
        long deadline = OpQueue.deadline(env.timeout());
        int rank = env.rank();
        int p = env.worldSize();
        String prefix = env.keyPrefix();
        TcpStore server = hosted;
        if (rank == 0 && server == null) {
            server = TcpStore.start(env.bindAddress(), env.masterPort(), env.token(), env.jobId(), env.generation(),
                    p);
        }
        int port = server != null ? server.port() : env.masterPort();
        StoreClient store = null;
        ServerSocketChannel listener = null;
        SocketChannel[] channels = new SocketChannel[p];
        try {
            store = StoreClient.connect(env.masterAddr(), port, env.token(), rank, env.jobId(), env.generation(),
                    deadline).withTimeout(OpQueue.remainingMillis(deadline) + 1);
            if (store.add(prefix + "rank/" + rank, 1) != 1) {
                throw new DistributedException("rendezvous", rank, "duplicate rank: another process already joined "
                        + "job '" + env.jobId() + "' generation " + env.generation() + " as rank " + rank
                        + " (check RANK on every process, or bump BRISK_GENERATION for a restart)");
            }
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(env.bindAddress(), 0), p);
            InetSocketAddress local = (InetSocketAddress) listener.getLocalAddress();
            store.set(prefix + "addr/" + rank, (local.getAddress().getHostAddress() + "\n" + local.getPort())
                    .getBytes(StandardCharsets.UTF_8));
            Map<String, byte[]> addrs = awaitAll(store, prefix, "addr/", p, deadline, env, "never joined");
            for (int peer = 0; peer < rank; peer++) {
                channels[peer] = connect(env, peer, addrs.get(prefix + "addr/" + peer), deadline);
            }
            int refused = accept(env, listener, channels, deadline);
            store.set(prefix + "ready/" + rank, new byte[] {1});
            awaitAll(store, prefix, "ready/", p, deadline, env, "did not finish connecting the mesh");
            return new Mesh(store, server, channels, SharedMemory.negotiate(env, store, shm, deadline), refused);
        } catch (IOException e) {
            closeAll(store, server, hosted, channels);
            throw new DistributedException("rendezvous", -1, "rendezvous of rank " + rank + " failed: " + e, e);
        } catch (RuntimeException e) {
            closeAll(store, server, hosted, channels);
            throw e;
        } finally {
            if (listener != null) {
                try {
                    listener.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static Map<String, byte[]> awaitAll(StoreClient store, String prefix, String what, int p, long deadline,
                                                DistEnv env, String failure) {
        List<String> keys = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            keys.add(prefix + what + r);
        }
        Map<String, byte[]> got = store.waitAll(keys, deadline);
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            if (got.get(keys.get(r)) == null) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            throw new DistributedException("rendezvous", missing.getFirst(), "rendezvous timed out after "
                    + env.timeout().toMillis() + " ms: ranks " + missing + " " + failure + " (" + (p - missing.size())
                    + "/" + p + " present, job '" + env.jobId() + "' generation " + env.generation() + ")");
        }
        return got;
    }

    private static SocketChannel connect(DistEnv env, int peer, byte[] addr, long deadline) throws IOException {
        String[] hp = new String(addr, StandardCharsets.UTF_8).split("\n");
        InetSocketAddress target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        while (true) {
            SocketChannel ch = SocketChannel.open();
            try {
                Socket s = ch.socket();
                s.connect(target, (int) Math.max(1, OpQueue.remainingMillis(deadline)));
                s.setTcpNoDelay(true);
                s.setSoTimeout((int) Math.max(1, OpQueue.remainingMillis(deadline)));
                int got = Handshake.client(s.getInputStream(), s.getOutputStream(),
                        env.token().getBytes(StandardCharsets.UTF_8), Handshake.Purpose.MESH, env.rank(),
                        env.jobId(), env.generation());
                if (got != peer) {
                    throw new DistributedException("rendezvous", got, "expected rank " + peer + " at " + target
                            + " but rank " + got + " answered");
                }
                s.setSoTimeout(0);
                return ch;
            } catch (Handshake.Refused e) {
                ch.close();
                throw new DistributedException("rendezvous", peer, "rank " + peer + " at " + target + " refused rank "
                        + env.rank() + ": " + e.getMessage());
            } catch (ConnectException e) {
                ch.close();
                if (System.nanoTime() >= deadline) {
                    throw new DistributedException("rendezvous", peer, "cannot connect to rank " + peer + " at "
                            + target + ": " + e.getMessage(), e);
                }
                sleep();
            } catch (IOException e) {
                ch.close(); // e.g. reset: name the peer, which may have given up waiting for this rank
                throw new DistributedException("rendezvous", peer, "connecting rank " + env.rank() + " to rank " + peer
                        + " at " + target + " failed: " + e.getMessage() + " (rank " + peer + " may have timed out "
                        + "waiting; every rank must start within BRISK_DIST_TIMEOUT)", e);
            } catch (RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    /** Accepts every higher rank; refuses (and logs) anything else. Returns the number refused. */
    private static int accept(DistEnv env, ServerSocketChannel listener, SocketChannel[] channels, long deadline)
            throws IOException {
        int refused = 0;
        int waiting = env.worldSize() - 1 - env.rank();
        while (waiting > 0) {
            long left = OpQueue.remainingMillis(deadline);
            List<Integer> absent = new ArrayList<>();
            for (int r = env.rank() + 1; r < env.worldSize(); r++) {
                if (channels[r] == null) {
                    absent.add(r);
                }
            }
            if (left <= 0) {
                throw new DistributedException("rendezvous", absent.getFirst(), "rendezvous timed out after "
                        + env.timeout().toMillis() + " ms: ranks " + absent + " never connected to rank "
                        + env.rank());
            }
            listener.socket().setSoTimeout((int) left);
            Socket s;
            try {
                s = listener.socket().accept();
            } catch (SocketTimeoutException e) {
                continue;
            }
            SocketChannel ch = s.getChannel();
            try {
                s.setTcpNoDelay(true);
                s.setSoTimeout((int) Math.max(1, Math.min(MAX_HANDSHAKE_MS, OpQueue.remainingMillis(deadline))));
                int r = Handshake.server(s.getInputStream(), s.getOutputStream(),
                        env.token().getBytes(StandardCharsets.UTF_8), Handshake.Purpose.MESH, env.rank(), env.jobId(),
                        env.generation(), c -> c <= env.rank() || c >= env.worldSize()
                                ? "rank " + c + " should not connect to rank " + env.rank()
                                : channels[c] != null ? "rank " + c + " is already connected (duplicate rank?)" : null);
                s.setSoTimeout(0);
                channels[r] = ch;
                waiting--;
            } catch (Handshake.Refused | IOException e) {
                refused++;
                LOG.log(System.Logger.Level.WARNING, "rank " + env.rank() + ": refused connection from "
                        + s.getRemoteSocketAddress() + ": " + e.getMessage());
                ch.close();
            }
        }
        return refused;
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("rendezvous", -1, "interrupted", e);
        }
    }

    private static void closeAll(StoreClient store, TcpStore server, TcpStore hosted, SocketChannel[] channels) {
        if (store != null) {
            store.close();
        }
        if (server != null && server != hosted) {
            server.close();
        }
        for (SocketChannel ch : channels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
