package dev.brisk.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection to the {@link TcpStore}. Every call is bounded by the socket read timeout given at connect
 * (or {@link #withTimeout}); calls are serialized. Keys are used as given: callers prefix them with
 * {@code job/generation/} so a restarted group never reads an old generation's keys.
 */
public final class StoreClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String where;

    private StoreClient(Socket socket, String where) throws IOException {
        this.socket = socket;
        this.where = where;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /**
     * Connects and authenticates, retrying while the store is not up yet (rank 0 may start last) until
     * {@code deadline} ({@link System#nanoTime()}); a refusal is final.
     */
    public static StoreClient connect(String host, int port, String token, int rank, String job, long generation,
                                      long deadline) {
        String where = host + ":" + port;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            Socket s = new Socket();
            try {
                int left = (int) Math.max(1, OpQueue.remainingMillis(deadline));
                s.connect(new InetSocketAddress(host, port), left);
                s.setTcpNoDelay(true);
                s.setSoTimeout(left);
                StoreClient c = new StoreClient(s, where);
                Handshake.client(c.in, c.out, token.getBytes(StandardCharsets.UTF_8), Handshake.Purpose.STORE, rank,
                        job, generation);
                return c;
            } catch (Handshake.Refused e) {
                closeQuietly(s);
                throw new DistributedException("rendezvous", 0, "the store at " + where + " refused rank " + rank
                        + ": " + e.getMessage());
            } catch (ConnectException e) {
                closeQuietly(s);
                last = e;
                sleep(50);
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                sleep(50);
            }
        }
        throw new DistributedException("rendezvous", 0, "could not reach the store at " + where + " (rank 0, "
                + "BRISK_MASTER_ADDR:BRISK_MASTER_PORT) before the timeout: " + (last == null ? "no attempt"
                : last.getMessage()), last);
    }

    /** Sets the read timeout of later calls. */
    public synchronized StoreClient withTimeout(long millis) {
        try {
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, millis)));
        } catch (IOException e) {
            throw failure("set timeout", e);
        }
        return this;
    }

    public synchronized void set(String key, byte[] value) {
        try {
            out.writeByte(StoreProtocol.SET);
            StoreProtocol.writeKey(out, key);
            StoreProtocol.writeValue(out, value);
            out.flush();
            expectOk();
        } catch (IOException e) {
            throw failure("set " + key, e);
        }
    }

    /** The value, or {@code null} if the key is absent (does not wait). */
    public synchronized byte[] get(String key) {
        try {
            out.writeByte(StoreProtocol.GET);
            StoreProtocol.writeKey(out, key);
            out.flush();
            int status = in.readUnsignedByte();
            return status == 1 ? null : StoreProtocol.readValue(in);
        } catch (IOException e) {
            throw failure("get " + key, e);
        }
    }

    /** Atomically adds {@code delta} to a counter (absent = 0) and returns the new value. */
    public synchronized long add(String key, long delta) {
        try {
            out.writeByte(StoreProtocol.ADD);
            StoreProtocol.writeKey(out, key);
            out.writeLong(delta);
            out.flush();
            expectOk();
            return in.readLong();
        } catch (IOException e) {
            throw failure("add " + key, e);
        }
    }

    /** Sets {@code key} to {@code desired} if it equals {@code expected} (null = absent); returns the value after. */
    public synchronized byte[] compareSet(String key, byte[] expected, byte[] desired) {
        try {
            out.writeByte(StoreProtocol.CAS);
            StoreProtocol.writeKey(out, key);
            StoreProtocol.writeValue(out, expected);
            StoreProtocol.writeValue(out, desired);
            out.flush();
            expectOk();
            return StoreProtocol.readValue(in);
        } catch (IOException e) {
            throw failure("compareSet " + key, e);
        }
    }

    /**
     * Waits (polling every 10 ms) until every key exists, or returns the keys still missing at {@code deadline}
     * in the map's {@code null} values.
     */
    public Map<String, byte[]> waitAll(List<String> keys, long deadline) {
        Map<String, byte[]> got = new LinkedHashMap<>();
        for (String k : keys) {
            got.put(k, null);
        }
        while (true) {
            List<String> missing = new ArrayList<>();
            for (var e : got.entrySet()) {
                if (e.getValue() == null) {
                    byte[] v = get(e.getKey());
                    if (v == null) {
                        missing.add(e.getKey());
                    } else {
                        e.setValue(v);
                    }
                }
            }
            if (missing.isEmpty() || System.nanoTime() >= deadline) {
                return got;
            }
            sleep(10);
        }
    }

    private void expectOk() throws IOException {
        int status = in.readUnsignedByte();
        if (status != 0) {
            throw new IOException("store answered status " + status);
        }
    }

    private DistributedException failure(String what, IOException e) {
        return new DistributedException("store " + what, 0, "store at " + where + " (rank 0) failed during '" + what
                + "': " + e.getMessage(), e);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("rendezvous", -1, "interrupted", e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }
}
