package dev.brisk.dist.ps;

import dev.brisk.dist.ProcessGroup;
import java.util.List;

/**
 * A worker's side of a parameter server: {@link #pull} fetches the whole parameter vector (each server's shard
 * over its own link), {@link #push} sends a gradient of the whole vector (each server gets its slice) and advances
 * this worker's clock. A pull may block while this worker is more than the staleness bound ahead of the slowest
 * one. {@link #close} tells the servers this worker is done, so it no longer holds the others back.
 */
public final class PsWorker implements AutoCloseable {

    private final List<ProcessGroup> servers;
    private final int n;
    private final float[] header = new float[PsProtocol.HEADER];
    private long clock;
    private boolean closed;

    /**
     * @param servers link s reaches server s; this worker is rank 1 of each
     * @param n       the length of the whole parameter vector
     */
    public PsWorker(List<ProcessGroup> servers, int n) {
        for (ProcessGroup g : servers) {
            if (g.size() != 2 || g.rank() != PsProtocol.WORKER) {
                throw new IllegalArgumentException("a worker link is a 2-rank group with the worker as rank 1; got"
                        + " rank " + g.rank() + " of " + g.size());
            }
        }
        this.servers = List.copyOf(servers);
        this.n = n;
    }

    /** Fills {@code into} (the whole vector) with the servers' current values. */
    public void pull(float[] into) {
        check(into);
        for (int s = 0; s < servers.size(); s++) {
            int start = PsProtocol.start(n, servers.size(), s);
            int end = PsProtocol.end(n, servers.size(), s);
            request(s, PsProtocol.PULL);
            servers.get(s).recv(into, start, end - start, PsProtocol.SERVER);
        }
    }

    /** Sends the gradient {@code grad} of the whole vector; the servers apply it asynchronously. */
    public void push(float[] grad) {
        check(grad);
        for (int s = 0; s < servers.size(); s++) {
            int start = PsProtocol.start(n, servers.size(), s);
            int end = PsProtocol.end(n, servers.size(), s);
            request(s, PsProtocol.PUSH);
            servers.get(s).send(grad, start, end - start, PsProtocol.SERVER);
        }
        clock++;
    }

    /** Pushes made so far. */
    public long clock() {
        return clock;
    }

    private void request(int s, float op) {
        header[0] = op;
        header[1] = clock;
        servers.get(s).send(header, 0, PsProtocol.HEADER, PsProtocol.SERVER);
    }

    private void check(float[] v) {
        if (v.length != n) {
            throw new IllegalArgumentException("parameter vector has " + n + " floats, got " + v.length);
        }
    }

    /** Tells every server this worker has stopped, then closes the links. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (int s = 0; s < servers.size(); s++) {
                request(s, PsProtocol.STOP);
                servers.get(s).recv(header, 0, 1, PsProtocol.SERVER);
            }
        } finally {
            for (ProcessGroup g : servers) {
                g.close();
            }
        }
    }
}
