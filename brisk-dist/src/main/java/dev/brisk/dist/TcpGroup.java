package dev.brisk.dist;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ranks in separate processes (or hosts), one authenticated TCP connection per pair ({@link Rendezvous}),
 * running bandwidth-optimal ring collectives.
 *
 * <p>Implementation overview. Operations run in issue order on this rank's op thread; each pair's connection
 * has its own reader and writer thread ({@link PeerLink}). All-reduce is reduce-scatter then all-gather around
 * the ring (send to {@code rank+1}, receive from {@code rank−1}), as in Gloo's {@code ring()}: the buffer is cut
 * into {@code p} chunks ({@link Chunking}) and every chunk into the same number of segments of at most
 * {@link #SEGMENT} floats. In reduce-scatter step {@code s} rank {@code r} sends chunk
 * {@code r−1−s} and receives chunk {@code r−2−s}, folding each received segment into its buffer and queueing it
 * for the next step at once; after {@code p−1} steps it owns chunk {@code r}, fully reduced (and divided by
 * {@code p} for AVG, by the owner only). All-gather step {@code s} forwards chunk {@code r−s} and copies in
 * chunk {@code r−1−s}; in an all-reduce each segment of chunk {@code r} is sent on as soon as its last fold is
 * done, so the all-gather starts while the reduce-scatter finishes. The writer sends while the op thread reduces
 * and the reader receives: send, receive and reduce overlap segment by segment. Ring neighbours on one host
 * exchange payloads through a shared-memory ring instead of the socket ({@link ShmChannel}). Each rank sends {@code 2(p−1)/p·N} bytes (plus 28 per frame).
 *
 * <p>Invariants. (1) Every step sends a frame even when its segment is empty, so the message count never
 * depends on the data. (2) Every frame carries the operation's {@link OpDesc} and its part number, checked on
 * receipt: a mismatched collective fails on the first frame with both descriptions. (3) Each chunk is reduced
 * exactly once along the ring and then copied, so all ranks end with identical bits. (4) A range handed to the
 * writer is not written again until the frame has left (reduce-scatter never revisits a chunk it forwarded, and
 * an all-gather frame for that chunk cannot arrive before it, being causally after it around the ring); a
 * collective returns only after its last frame has left ({@link #flush}). A point-to-point send instead copies
 * its payload and returns once the frames are queued, so that two ranks sending to each other never wait on
 * each other's reads; a failed write aborts the group, so a later operation (here and on the peer) fails.
 *
 * <p>Failures. Every wait has the operation's deadline. The first failure on this rank (EOF or reset from a
 * peer, a malformed or unexpected frame, a timeout) is recorded, offered to the store as the group's first
 * failure (compare-and-set, so every rank reports the same culprit; a timeout first follows the ranks' waits to the
 * silent rank, {@link TimeoutBlame}), and then every socket is closed: the
 * failure cascades to all ranks in about one round trip, each raising a {@link DistributedException} that names
 * the failed rank and the operation. The group stays aborted.
 */
public final class TcpGroup implements ProcessGroup, PeerLink.Failures {

    private static final System.Logger LOG = System.getLogger("dev.brisk.dist");
    /**
     * Floats per frame: 1 MiB by default, Gloo's segment (system property {@code brisk.dist.segmentBytes}, clamped to
     * [4 KiB, {@link Frame#MAX_PAYLOAD}]). Each frame costs thread hand-offs (op thread → writer, reader → op
     * thread); on a 2-core VM, 2-rank all-reduce of 100 MB measured busbw 1.05–1.53 GB/s with 1 MiB frames against
     * 0.94–1.07 with 256 KiB, in alternating runs.
     */
    private static final int SEGMENT = Math.clamp(Integer.getInteger("brisk.dist.segmentBytes", 1 << 20),
            4 << 10, Frame.MAX_PAYLOAD) / Float.BYTES;
    private static final long SLICE_NANOS = 20_000_000L;

    private final DistEnv env;
    private final PeerLink[] links;
    private final StoreClient store;
    private final TcpStore hosted;
    private final int refused;
    private final OpQueue ops;
    private final TimeoutBlame timeoutBlame;
    private final float[] scratch = new float[SEGMENT];
    private final long[] sendSeq;
    private final long[] recvSeq;
    private final Object failLock = new Object();
    private volatile DistributedException failure;
    private volatile String current = "idle";
    private long seq;
    private boolean closed;
    /** The running operation's deadline (op thread only). */
    private long deadline;

    private TcpGroup(DistEnv env, Rendezvous.Mesh mesh) {
        this.env = env;
        this.store = mesh.store();
        this.hosted = mesh.hosted();
        this.refused = mesh.refused();
        int p = env.worldSize();
        this.links = new PeerLink[p];
        for (int r = 0; r < p; r++) {
            if (mesh.channels()[r] != null) {
                links[r] = new PeerLink(env.rank(), r, mesh.channels()[r], mesh.shm()[r], this);
            }
        }
        this.sendSeq = new long[p];
        this.recvSeq = new long[p];
        this.ops = new OpQueue("brisk-dist-tcp-r" + env.rank(), env.timeout());
        this.timeoutBlame = new TimeoutBlame(store, env.keyPrefix(), env.rank(), p, env.timeout());
    }

    /** Joins the group described by {@code env} (rank 0 hosts the store on {@code BRISK_MASTER_PORT}). */
    public static TcpGroup connect(DistEnv env) {
        return connect(env, null);
    }

    /** As {@link #connect(DistEnv)}, with rank 0's store already started (and then owned by the group). */
    public static TcpGroup connect(DistEnv env, TcpStore hostedStore) {
        return connect(env, hostedStore, SharedMemory.enabledByDefault());
    }

    /**
     * As {@link #connect(DistEnv, TcpStore)}; {@code sharedMemory} false keeps every pair's data on TCP even where
     * ring neighbours share a host.
     */
    public static TcpGroup connect(DistEnv env, TcpStore hostedStore, boolean sharedMemory) {
        if (hostedStore != null && env.rank() != 0) {
            throw new IllegalArgumentException("only rank 0 hosts the store");
        }
        return new TcpGroup(env, Rendezvous.mesh(env, hostedStore, sharedMemory));
    }

    /** Peers whose data this rank exchanges through shared memory rather than TCP (ring neighbours on this host). */
    public int sharedMemoryPeers() {
        int n = 0;
        for (PeerLink l : links) {
            n += l != null && l.sharedMemory() ? 1 : 0;
        }
        return n;
    }

    @Override
    public int rank() {
        return env.rank();
    }

    @Override
    public int size() {
        return env.worldSize();
    }

    @Override
    public Duration timeout() {
        return env.timeout();
    }

    /** Connections refused while the mesh formed (wrong token, unexpected rank). */
    public int refusedConnections() {
        return refused;
    }

    /** Payload and header bytes this rank has sent so far, over all peers. */
    public long bytesSent() {
        long n = 0;
        for (PeerLink l : links) {
            n += l == null ? 0 : l.bytesSent.get();
        }
        return n;
    }

    // ---- issuing ----------------------------------------------------------------------------------------------

    private synchronized Work issue(OpDesc.Kind kind, Reduction op, int root, float[] buf, int off, int n) {
        OpDesc d = new OpDesc(kind, seq++, n, op, root);
        return ops.submit(d.toString(), () -> run(d, () -> {
            switch (kind) {
                case ALLREDUCE, BARRIER -> ring(d, buf, off, true, true);
                case REDUCE_SCATTER -> ring(d, buf, off, true, false);
                case ALLGATHER -> ring(d, buf, off, false, true);
                case BROADCAST -> chain(d, buf, off);
                case SEND -> throw new IllegalStateException();
            }
        }));
    }

    @Override
    public Work allReduceAsync(float[] buf, int off, int n, Reduction op) {
        OpDesc.checkRange(buf, off, n);
        return issue(OpDesc.Kind.ALLREDUCE, op, -1, buf, off, n);
    }

    @Override
    public Work reduceScatterAsync(float[] buf, int off, int n, Reduction op) {
        OpDesc.checkRange(buf, off, n);
        return issue(OpDesc.Kind.REDUCE_SCATTER, op, -1, buf, off, n);
    }

    @Override
    public Work allGatherAsync(float[] buf, int off, int n) {
        OpDesc.checkRange(buf, off, n);
        return issue(OpDesc.Kind.ALLGATHER, Reduction.SUM, -1, buf, off, n);
    }

    @Override
    public Work broadcastAsync(float[] buf, int off, int n, int root) {
        OpDesc.checkRange(buf, off, n);
        OpDesc.checkRank("root", root, size());
        return issue(OpDesc.Kind.BROADCAST, Reduction.SUM, root, buf, off, n);
    }

    @Override
    public Work barrierAsync() {
        return issue(OpDesc.Kind.BARRIER, Reduction.SUM, -1, new float[0], 0, 0);
    }

    @Override
    public synchronized Work sendAsync(float[] buf, int off, int n, int dst) {
        OpDesc.checkRange(buf, off, n);
        peerRank("dst", dst);
        OpDesc d = OpDesc.plain(OpDesc.Kind.SEND, sendSeq[dst]++, n, -1);
        return ops.submit(d + " to rank " + dst, () -> run(d, () -> {
            // Completes once queued, without waiting for the socket: two ranks sending each other more than the
            // peers' read buffers hold would otherwise both block here before either reaches its receive. The
            // copy frees the caller's buffer; a failed write aborts the group, failing a later operation.
            float[] copy = new float[n];
            System.arraycopy(buf, off, copy, 0, n);
            int parts = Math.max(1, ceilDiv(n, SEGMENT));
            for (int j = 0; j < parts; j++) {
                int s = Math.min(j * SEGMENT, n);
                send(links[dst], d, j, copy, s, Math.min(SEGMENT, n - s));
            }
        }));
    }

    @Override
    public synchronized Work recvAsync(float[] buf, int off, int n, int src) {
        OpDesc.checkRange(buf, off, n);
        peerRank("src", src);
        OpDesc d = OpDesc.plain(OpDesc.Kind.SEND, recvSeq[src]++, n, -1);
        return ops.submit("recv of " + d + " from rank " + src, () -> run(d, () -> {
            int parts = Math.max(1, ceilDiv(n, SEGMENT));
            for (int j = 0; j < parts; j++) {
                int s = Math.min(j * SEGMENT, n);
                copyIn(links[src], receive(links[src], d, j, Math.min(SEGMENT, n - s)), buf, off + s);
            }
        }));
    }

    private void peerRank(String what, int r) {
        OpDesc.checkRank(what, r, size());
        if (r == rank()) {
            throw new IllegalArgumentException(what + " must be another rank, got this rank " + r);
        }
    }

    /** Runs one operation on the op thread with failure bookkeeping. */
    private void run(OpDesc d, Runnable body) {
        checkHealthy(d.toString());
        current = d.toString();
        deadline = OpQueue.deadline(env.timeout());
        try {
            body.run();
        } finally {
            current = "idle (between operations)";
        }
    }

    // ---- ring reduce-scatter / all-gather ---------------------------------------------------------------------

    private void ring(OpDesc d, float[] buf, int off, boolean reduce, boolean gather) {
        int p = size();
        int r = rank();
        if (p == 1) {
            return;
        }
        Chunking c = new Chunking(d.count(), p);
        int parts = Math.max(1, ceilDiv(c.maxLength(), SEGMENT));
        int seg = Math.max(1, ceilDiv(c.maxLength(), parts));
        PeerLink right = links[(r + 1) % p];
        PeerLink left = links[(r - 1 + p) % p];
        int sent = 0;
        int received = 0;
        if (reduce) {
            for (int j = 0; j < parts; j++) {
                sendSegment(right, d, sent++, buf, off, c, mod(r - 1, p), j, seg);
            }
            for (int s = 0; s < p - 1; s++) {
                int ch = mod(r - 2 - s, p);
                for (int j = 0; j < parts; j++) {
                    int start = segStart(c, ch, j, seg);
                    PeerLink.Inbound in = receive(left, d, received++, segEnd(c, ch, j, seg) - start);
                    fold(d.op(), left, in, buf, off + start);
                    if (s < p - 2) {
                        sendSegment(right, d, sent++, buf, off, c, ch, j, seg);
                    } else { // ch == r: this segment is final, and starts the all-gather at once
                        if (d.op() == Reduction.AVG) {
                            Fold.divide(buf, off + start, segEnd(c, ch, j, seg) - start, p);
                        }
                        if (gather) {
                            sendSegment(right, d, sent++, buf, off, c, r, j, seg);
                        }
                    }
                }
            }
        }
        if (gather) {
            for (int j = 0; j < parts && !reduce; j++) {
                sendSegment(right, d, sent++, buf, off, c, r, j, seg);
            }
            for (int s = 0; s < p - 1; s++) {
                int ch = mod(r - 1 - s, p);
                for (int j = 0; j < parts; j++) {
                    int start = segStart(c, ch, j, seg);
                    copyIn(left, receive(left, d, received++, segEnd(c, ch, j, seg) - start), buf, off + start);
                    if (s < p - 2) {
                        sendSegment(right, d, sent++, buf, off, c, ch, j, seg);
                    }
                }
            }
        }
        flush(right, d);
    }

    /** Pipelined chain from the root around the ring; every rank but the root's left neighbour forwards. */
    private void chain(OpDesc d, float[] buf, int off) {
        int p = size();
        int r = rank();
        if (p == 1) {
            return;
        }
        int n = d.count();
        int parts = Math.max(1, ceilDiv(n, SEGMENT));
        PeerLink right = links[(r + 1) % p];
        boolean forward = (r + 1) % p != d.root();
        for (int j = 0; j < parts; j++) {
            int s = Math.min(j * SEGMENT, n);
            int len = Math.min(SEGMENT, n - s);
            if (r != d.root()) {
                PeerLink left = links[(r - 1 + p) % p];
                copyIn(left, receive(left, d, j, len), buf, off + s);
            }
            if (r == d.root() || forward) {
                send(right, d, j, buf, off + s, len);
            }
        }
        if (r == d.root() || forward) {
            flush(right, d);
        }
    }

    private static int segStart(Chunking c, int ch, int j, int seg) {
        return (int) Math.min((long) c.start(ch) + (long) j * seg, c.end(ch));
    }

    private static int segEnd(Chunking c, int ch, int j, int seg) {
        return (int) Math.min((long) segStart(c, ch, j, seg) + seg, c.end(ch));
    }

    private void sendSegment(PeerLink to, OpDesc d, int part, float[] buf, int off, Chunking c, int ch, int j,
                             int seg) {
        int start = segStart(c, ch, j, seg);
        send(to, d, part, buf, off + start, segEnd(c, ch, j, seg) - start);
    }

    private void send(PeerLink to, OpDesc d, int part, float[] buf, int from, int n) {
        to.send(new PeerLink.Outbound(new Frame(Frame.DATA, d, part, n * Float.BYTES), buf, from, null));
    }

    /** Waits until everything queued for {@code to} has been written. */
    private void flush(PeerLink to, OpDesc d) {
        CountDownLatch done = new CountDownLatch(1);
        to.send(new PeerLink.Outbound(null, null, 0, done));
        try {
            while (!done.await(SLICE_NANOS, TimeUnit.NANOSECONDS)) {
                checkHealthy(d.toString());
                if (System.nanoTime() > deadline) {
                    throw failTimedOut(new DistributedException(d.toString(), to.peer, d + ": timed out after "
                            + env.timeout().toMillis() + " ms sending to rank " + to.peer + " (it stopped reading)"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new DistributedException(d.toString(), -1, d + ": interrupted", e));
        }
    }

    /** The next frame from {@code from}, checked against {@code d}, part and length. */
    private PeerLink.Inbound receive(PeerLink from, OpDesc d, int part, int floats) {
        try {
            while (true) {
                checkHealthy(d.toString());
                PeerLink.Inbound in = from.inbox.poll(SLICE_NANOS, TimeUnit.NANOSECONDS);
                if (in != null) {
                    Frame f = in.frame();
                    if (!f.desc().equals(d)) {
                        throw fail(new DistributedException(d.toString(), from.peer, "rank " + from.peer + " sent "
                                + f.desc() + " but rank " + rank() + " expected " + d + " (every rank must issue the "
                                + "same collectives in the same order with the same count)"));
                    }
                    if (f.part() != part || f.bytes() != floats * Float.BYTES) {
                        throw fail(new DistributedException(d.toString(), from.peer, d + ": protocol error: rank "
                                + from.peer + " sent part " + f.part() + " with " + f.bytes() + " bytes, expected part "
                                + part + " with " + floats * Float.BYTES));
                    }
                    return in;
                }
                if (from.peerSaidBye && from.inbox.isEmpty()) {
                    throw fail(new DistributedException(d.toString(), from.peer, d + ": rank " + from.peer
                            + " closed its process group while rank " + rank() + " waited for part " + part));
                }
                if (System.nanoTime() > deadline) {
                    throw failTimedOut(new DistributedException(d.toString(), from.peer, d + ": timed out after "
                            + env.timeout().toMillis() + " ms waiting for rank " + from.peer + " (part " + part
                            + "); it, or a rank before it on the ring, has not entered this operation"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new DistributedException(d.toString(), -1, d + ": interrupted", e));
        }
    }

    /** buf[at..] = buf[at..] op payload (via the scratch array, so {@link Fold} runs on float[]s). */
    private void fold(Reduction op, PeerLink from, PeerLink.Inbound in, float[] buf, int at) {
        int n = in.frame().bytes() / Float.BYTES;
        in.payload().asFloatBuffer().get(scratch, 0, n);
        from.release(in.payload());
        Fold.fold(op, buf, at, scratch, 0, n);
    }

    private void copyIn(PeerLink from, PeerLink.Inbound in, float[] buf, int at) {
        int n = in.frame().bytes() / Float.BYTES;
        in.payload().asFloatBuffer().get(buf, at, n);
        from.release(in.payload());
    }

    private static int mod(int a, int p) {
        return ((a % p) + p) % p;
    }

    private static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    // ---- failure ----------------------------------------------------------------------------------------------

    @Override
    public void linkFailed(int peer, String message, Throwable cause) {
        String op = current;
        fail(new DistributedException(op, peer, op + ": " + message, cause));
    }

    /**
     * Aborts the group because this rank failed outside any collective (say its training step threw): {@code reason}
     * is offered to the store as the group's first failure, so the error every peer then raises names this rank and
     * the reason rather than just a closed connection, and every connection is closed. Returns the group's first
     * failure (an earlier one if there was one). Idempotent; {@link #close()} is still needed.
     */
    public DistributedException abort(String reason) {
        return fail(new DistributedException("abort", rank(), "rank " + rank() + " failed: " + reason));
    }

    private void checkHealthy(String what) {
        DistributedException f = failure;
        if (f != null) {
            throw f.operation().equals(what) ? f : new DistributedException(what, f.failedRank(), what
                    + ": the group was aborted by an earlier failure: " + f.getMessage(), f);
        }
    }

    /** Records the first failure (resolved against the store), closes every connection, returns it. */
    private DistributedException fail(DistributedException e) {
        DistributedException root;
        synchronized (failLock) {
            if (failure != null) {
                return failure;
            }
            root = resolveRoot(e);
            failure = root;
        }
        LOG.log(System.Logger.Level.WARNING, "rank " + rank() + ": aborting the process group: " + root.getMessage());
        for (PeerLink l : links) {
            if (l != null) {
                l.abort();
            }
        }
        return root;
    }

    /** As {@link #fail}, for a timeout waiting for the rank {@code e} names: the blame follows the ranks' waits. */
    private DistributedException failTimedOut(DistributedException e) {
        synchronized (failLock) {
            return fail(failure != null ? e : timeoutBlame.blame(e, e.failedRank()));
        }
    }

    /** The group's first failure: ours if the store's compare-and-set takes it, else the one already there. */
    private DistributedException resolveRoot(DistributedException e) {
        String key = env.keyPrefix() + "abort";
        String mine = rank() + "\n" + e.failedRank() + "\n" + e.getMessage();
        try {
            store.withTimeout(2_000);
            byte[] after = store.compareSet(key, null, mine.getBytes(StandardCharsets.UTF_8));
            String first = after == null ? mine : new String(after, StandardCharsets.UTF_8);
            if (first.equals(mine)) {
                return e;
            }
            String[] f = first.split("\n", 3);
            int reporter = Integer.parseInt(f[0]);
            int failed = Integer.parseInt(f[1]);
            return new DistributedException(e.operation(), failed, e.operation() + ": aborted after rank " + reporter
                    + " reported the group's first failure: " + f[2] + " [seen here as: " + e.getMessage() + "]", e);
        } catch (RuntimeException storeDown) {
            if (e.failedRank() == 0 || rank() == 0) {
                return e;
            }
            return new DistributedException(e.operation(), 0, e.getMessage() + "; the store on rank 0 is "
                    + "unreachable too, so rank 0 is presumed dead (" + storeDown.getMessage() + ")", e);
        }
    }

    // ---- lifetime ---------------------------------------------------------------------------------------------

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ops.close();
        if (failure == null) {
            long byeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (PeerLink l : links) {
                if (l != null) {
                    l.sayBye(byeDeadline);
                }
            }
        }
        for (PeerLink l : links) {
            if (l != null) {
                l.close();
            }
        }
        store.close();
        if (hosted != null) {
            hosted.close();
        }
    }

    @Override
    public String toString() {
        return "TcpGroup[rank " + rank() + " of " + size() + ", job " + env.jobId() + "/" + env.generation() + "]";
    }
}
