package dev.brisk.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rendezvous key-value store, hosted by rank 0: a few small keys per rank (listen addresses, join counters,
 * the first failure of a group). Every connection passes {@link Handshake} first (a peer without the secret is
 * refused and logged), then speaks {@link StoreProtocol}. One daemon thread accepts, one serves each client;
 * {@link #close()} closes every socket and joins them.
 *
 * <p>It binds the address it is given; {@link DistEnv} makes that loopback unless {@code BRISK_BIND_ADDR} opts in
 * to an external interface.
 */
public final class TcpStore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.brisk.dist");
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final ServerSocket server;
    private final byte[] secret;
    private final String job;
    private final long generation;
    private final int worldSize;
    private final Map<String, byte[]> data = new HashMap<>();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean closed;

    private TcpStore(ServerSocket server, byte[] secret, String job, long generation, int worldSize) {
        this.server = server;
        this.secret = secret.clone();
        this.job = job;
        this.generation = generation;
        this.worldSize = worldSize;
        Thread acceptor = Thread.ofPlatform().name("brisk-dist-store-accept").daemon().unstarted(this::acceptLoop);
        threads.add(acceptor);
        acceptor.start();
    }

    /** Starts a store on {@code bind:port} ({@code port} 0 picks a free one, see {@link #port()}). */
    public static TcpStore start(InetAddress bind, int port, String token, String job, long generation,
                                 int worldSize) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bind, port), 128);
            return new TcpStore(s, token.getBytes(StandardCharsets.UTF_8), job, generation, worldSize);
        } catch (IOException e) {
            throw new DistributedException("rendezvous", -1, "cannot host the store on " + bind.getHostAddress()
                    + ":" + port + ": " + e.getMessage() + (port != 0 ? " (is BRISK_MASTER_PORT in use by another "
                    + "job?)" : ""), e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetAddress address() {
        return server.getInetAddress();
    }

    /** Connections refused so far (bad secret, wrong job or generation, malformed handshake). */
    public int refusedConnections() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "store: accept failed: " + e.getMessage());
                }
                return;
            }
            clients.add(s);
            Thread t = Thread.ofPlatform().name("brisk-dist-store-conn").daemon().unstarted(() -> serve(s));
            threads.add(t);
            t.start();
        }
    }

    private void serve(Socket s) {
        String who = String.valueOf(s.getRemoteSocketAddress());
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            int rank;
            try {
                rank = Handshake.server(in, out, secret, Handshake.Purpose.STORE, 0, job, generation,
                        r -> r >= 0 && r < worldSize ? null : "rank " + r + " is outside [0, " + worldSize + ")");
            } catch (Handshake.Refused e) {
                refused.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "store: refused connection from " + who + ": "
                        + e.getMessage());
                return;
            }
            s.setSoTimeout(0); // an authenticated client may stay idle for the life of the job; close() ends it
            who = "rank " + rank + " (" + who + ")";
            while (!closed) {
                int cmd;
                try {
                    cmd = in.readUnsignedByte();
                } catch (EOFException e) {
                    return;
                }
                String key = StoreProtocol.readKey(in);
                switch (cmd) {
                    case StoreProtocol.SET -> {
                        byte[] v = StoreProtocol.readValue(in);
                        synchronized (data) {
                            data.put(key, v == null ? new byte[0] : v);
                        }
                        out.writeByte(0);
                    }
                    case StoreProtocol.GET -> {
                        byte[] v;
                        synchronized (data) {
                            v = data.get(key);
                        }
                        out.writeByte(v == null ? 1 : 0);
                        if (v != null) {
                            StoreProtocol.writeValue(out, v);
                        }
                    }
                    case StoreProtocol.ADD -> {
                        long delta = in.readLong();
                        long now;
                        synchronized (data) {
                            byte[] v = data.get(key);
                            now = (v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII))) + delta;
                            data.put(key, Long.toString(now).getBytes(StandardCharsets.US_ASCII));
                        }
                        out.writeByte(0);
                        out.writeLong(now);
                    }
                    case StoreProtocol.CAS -> {
                        byte[] expected = StoreProtocol.readValue(in);
                        byte[] desired = StoreProtocol.readValue(in);
                        byte[] after;
                        synchronized (data) {
                            byte[] cur = data.get(key);
                            if ((cur == null && expected == null) || (cur != null && Arrays.equals(cur, expected))) {
                                data.put(key, desired);
                                cur = desired;
                            }
                            after = cur;
                        }
                        out.writeByte(0);
                        StoreProtocol.writeValue(out, after);
                    }
                    default -> {
                        LOG.log(System.Logger.Level.WARNING, "store: unknown command " + cmd + " from " + who
                                + "; closing the connection");
                        return;
                    }
                }
                out.flush();
            }
        } catch (SocketException | EOFException e) {
            // the client went away, or close() closed the socket
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.WARNING, "store: dropping " + who + ": " + e.getMessage());
            }
        } finally {
            clients.remove(s);
            threads.remove(Thread.currentThread()); // else every connection ever made (garbage too) stays listed
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : clients) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "TcpStore[" + server.getLocalSocketAddress() + "]";
    }
}
