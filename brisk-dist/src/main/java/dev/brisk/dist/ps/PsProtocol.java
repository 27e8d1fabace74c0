package dev.brisk.dist.ps;

/**
 * The parameter-server messages on a server–worker link (a two-rank process group: rank 0 the server, rank 1 the
 * worker). Every request starts with a two-float header {@code {op, clock}}; a push is followed by the gradient of
 * the server's shard, a pull is answered with the shard's values. The worker's clock is how many pushes it has
 * made (exact in a float up to 2²⁴ steps).
 */
final class PsProtocol {

    static final int HEADER = 2;
    static final float PULL = 1;
    static final float PUSH = 2;
    static final float STOP = 3;
    static final int SERVER = 0;
    static final int WORKER = 1;

    private PsProtocol() {
    }

    /** The contiguous range {@code [start, end)} of an n-vector held by server {@code s} of {@code servers}. */
    static int start(int n, int servers, int s) {
        return (int) ((long) n * s / servers);
    }

    static int end(int n, int servers, int s) {
        return start(n, servers, s + 1);
    }
}
