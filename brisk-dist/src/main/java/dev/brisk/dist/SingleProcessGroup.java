package dev.brisk.dist;

import java.time.Duration;

/**
 * World size 1: every collective is already complete (an average over one rank is the value itself), so
 * single-process training runs the distributed code path at no cost. Point-to-point operations have no peer and
 * are rejected.
 */
public final class SingleProcessGroup implements ProcessGroup {

    private final Duration timeout;
    private volatile boolean closed;

    public SingleProcessGroup() {
        this(Duration.ofSeconds(300));
    }

    public SingleProcessGroup(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    private Work done(String what, float[] buf, int off, int n) {
        OpDesc.checkRange(buf, off, n);
        if (closed) {
            throw new DistributedException(what, -1, what + ": the process group is closed");
        }
        return Work.completed(what);
    }

    @Override
    public Work allReduceAsync(float[] buf, int off, int n, Reduction op) {
        return done("allreduce", buf, off, n);
    }

    @Override
    public Work reduceScatterAsync(float[] buf, int off, int n, Reduction op) {
        return done("reducescatter", buf, off, n);
    }

    @Override
    public Work allGatherAsync(float[] buf, int off, int n) {
        return done("allgather", buf, off, n);
    }

    @Override
    public Work broadcastAsync(float[] buf, int off, int n, int root) {
        OpDesc.checkRank("root", root, 1);
        return done("broadcast", buf, off, n);
    }

    @Override
    public Work barrierAsync() {
        return done("barrier", new float[0], 0, 0);
    }

    @Override
    public Work sendAsync(float[] buf, int off, int n, int dst) {
        throw new IllegalArgumentException("send: a world of size 1 has no peer (dst " + dst + ")");
    }

    @Override
    public Work recvAsync(float[] buf, int off, int n, int src) {
        throw new IllegalArgumentException("recv: a world of size 1 has no peer (src " + src + ")");
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SingleProcessGroup";
    }
}
