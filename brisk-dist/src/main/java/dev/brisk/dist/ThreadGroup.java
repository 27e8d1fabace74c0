package dev.brisk.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ranks that are threads of one JVM (multi-replica training in one process), communicating through shared
 * memory: no copies through sockets, no serialization.
 *
 * <p>Implementation overview. The {@code p} ranks of a group share a {@link Phaser} of {@code p} parties and a
 * table of posted operations. A collective runs in phases separated by timed phaser barriers:
 * <ol>
 *   <li>each rank posts its {@link OpDesc} and buffer, then waits for all; every rank then checks that all
 *       posted the same descriptor (else all raise the same mismatch error);</li>
 *   <li>reduce: rank {@code i} reduces chunk {@code i} ({@link Chunking}) of all {@code p} buffers <em>in rank
 *       order 0..p−1</em>, block by block through a small accumulator, and writes it into its own buffer;</li>
 *   <li>copy: each rank copies every other rank's reduced chunk out of that rank's buffer;</li>
 *   <li>a final barrier, so no rank returns (and reuses its buffer) while another still reads it.</li>
 * </ol>
 * Invariants: in each phase a memory location is written by at most one rank and not read by any other (rank
 * {@code i} writes chunk {@code i} of its own buffer in phase 2 and reads only chunks {@code i}; in phase 3 it
 * writes chunks {@code j ≠ i} of its own buffer and reads chunk {@code j} of rank {@code j}'s, which nobody
 * writes then), and the phaser orders the phases (happens-before). The summation order is fixed, so the result
 * is deterministic and bitwise identical on every rank whatever the scheduling.
 *
 * <p>Every barrier has the group's deadline. On a timeout or mismatch the first failing rank records the error
 * and terminates the phaser, waking every rank, which all raise it; the group stays aborted. Per-rank arrival
 * counters tell a timeout which ranks never arrived.
 */
public final class ThreadGroup implements ProcessGroup {

    private static final int BLOCK = 4096;

    /** One rank's contribution to the current collective. */
    private record Posted(OpDesc desc, float[] buf, int off) {
    }

    /** What the ranks of one group share. */
    private static final class Shared {
        final int size;
        final Duration timeout;
        final Phaser phaser;
        final Posted[] posted;
        final AtomicLongArray arrivals;
        final AtomicLongArray closed;
        final AtomicReference<DistributedException> failure = new AtomicReference<>();
        final List<LinkedBlockingQueue<float[]>> mail = new ArrayList<>();

        Shared(int size, Duration timeout) {
            this.size = size;
            this.timeout = timeout;
            this.phaser = new Phaser(size);
            this.posted = new Posted[size];
            this.arrivals = new AtomicLongArray(size);
            this.closed = new AtomicLongArray(size);
            for (int i = 0; i < size * size; i++) {
                mail.add(new LinkedBlockingQueue<>());
            }
        }
    }

    private final Shared shared;
    private final int rank;
    private final OpQueue ops;
    private final float[] acc = new float[BLOCK];
    private long seq;
    // numbered apart from collectives: ranks exchange different numbers of point-to-point messages (pipeline
    // stages), and the collective numbers must still agree across ranks
    private long p2pSeq;

    private ThreadGroup(Shared shared, int rank) {
        this.shared = shared;
        this.rank = rank;
        this.ops = new OpQueue("brisk-dist-thread-r" + rank, shared.timeout);
    }

    /** A group of {@code size} ranks with the default 300 s timeout; element {@code r} is rank {@code r}. */
    public static List<ThreadGroup> create(int size) {
        return create(size, Duration.ofSeconds(300));
    }

    /** A group of {@code size} ranks; hand element {@code r} to the thread that plays rank {@code r}. */
    public static List<ThreadGroup> create(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        Shared s = new Shared(size, timeout);
        List<ThreadGroup> ranks = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            ranks.add(new ThreadGroup(s, r));
        }
        return List.copyOf(ranks);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return shared.size;
    }

    @Override
    public Duration timeout() {
        return shared.timeout;
    }

    private synchronized Work issue(OpDesc.Kind kind, Reduction op, int root, float[] buf, int off, int n) {
        OpDesc d = new OpDesc(kind, seq++, n, op, root);
        return ops.submit(d.toString(), () -> collective(d, buf, off));
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
        OpDesc.checkRank("dst", dst, size());
        OpDesc d = OpDesc.plain(OpDesc.Kind.SEND, p2pSeq++, n, dst);
        String what = d + " to rank " + dst;
        return ops.submit(what, () -> {
            checkHealthy(what);
            float[] copy = new float[n];
            System.arraycopy(buf, off, copy, 0, n);
            shared.mail.get(rank * size() + dst).add(copy);
        });
    }

    @Override
    public synchronized Work recvAsync(float[] buf, int off, int n, int src) {
        OpDesc.checkRange(buf, off, n);
        OpDesc.checkRank("src", src, size());
        String what = "recv #" + p2pSeq++ + " (f32×" + n + ") from rank " + src;
        return ops.submit(what, () -> {
            checkHealthy(what);
            long deadline = OpQueue.deadline(shared.timeout);
            float[] got = null;
            while (got == null) {
                checkHealthy(what);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw fail(new DistributedException(what, src, what + ": timed out after "
                            + shared.timeout.toMillis() + " ms waiting for rank " + src + " to send"));
                }
                try {
                    got = shared.mail.get(src * size() + rank).poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw fail(new DistributedException(what, -1, what + ": interrupted", e));
                }
            }
            if (got.length != n) {
                throw fail(new DistributedException(what, src, "rank " + src + " sent " + got.length
                        + " floats but rank " + rank + " expected " + n + " (" + what + ")"));
            }
            System.arraycopy(got, 0, buf, off, n);
        });
    }

    // ---- the collective protocol (runs on this rank's op thread) ----------------------------------------------

    private void collective(OpDesc d, float[] buf, int off) {
        checkHealthy(d.toString());
        shared.posted[rank] = new Posted(d, buf, off);
        long deadline = OpQueue.deadline(shared.timeout);
        sync(d, deadline, "enter");
        verifySameOp(d);
        Chunking c = new Chunking(d.count(), size());
        switch (d.kind()) {
            case ALLREDUCE -> {
                reduceOwnChunk(d, c);
                sync(d, deadline, "finish reducing");
                copyOtherChunks(c, buf, off);
                sync(d, deadline, "finish copying");
            }
            case REDUCE_SCATTER -> {
                reduceOwnChunk(d, c);
                sync(d, deadline, "finish reducing");
            }
            case ALLGATHER -> {
                copyOtherChunks(c, buf, off);
                sync(d, deadline, "finish copying");
            }
            case BROADCAST -> {
                if (rank != d.root()) {
                    Posted root = shared.posted[d.root()];
                    System.arraycopy(root.buf(), root.off(), buf, off, d.count());
                }
                sync(d, deadline, "finish copying");
            }
            case BARRIER, SEND -> {
            }
        }
    }

    /** Chunk {@code rank} of every posted buffer, combined in rank order 0..p−1, into this rank's buffer. */
    private void reduceOwnChunk(OpDesc d, Chunking c) {
        int p = size();
        int start = c.start(rank);
        int len = c.length(rank);
        Posted mine = shared.posted[rank];
        for (int b = 0; b < len; b += BLOCK) {
            int m = Math.min(BLOCK, len - b);
            Posted first = shared.posted[0];
            System.arraycopy(first.buf(), first.off() + start + b, acc, 0, m);
            for (int r = 1; r < p; r++) {
                Posted other = shared.posted[r];
                Fold.fold(d.op(), acc, 0, other.buf(), other.off() + start + b, m);
            }
            if (d.op() == Reduction.AVG) {
                Fold.divide(acc, 0, m, p);
            }
            System.arraycopy(acc, 0, mine.buf(), mine.off() + start + b, m);
        }
    }

    private void copyOtherChunks(Chunking c, float[] buf, int off) {
        for (int r = 0; r < size(); r++) {
            if (r != rank) {
                Posted other = shared.posted[r];
                System.arraycopy(other.buf(), other.off() + c.start(r), buf, off + c.start(r), c.length(r));
            }
        }
    }

    private void verifySameOp(OpDesc d) {
        OpDesc first = shared.posted[0].desc();
        for (int r = 1; r < size(); r++) {
            OpDesc other = shared.posted[r].desc();
            if (!other.equals(first)) {
                throw fail(new DistributedException(d.toString(), r, "rank " + r + " entered " + other
                        + " but rank 0 entered " + first + " (every rank must issue the same collectives in the "
                        + "same order with the same count)"));
            }
        }
    }

    /** A timed barrier over all ranks; on timeout names the ranks that did not arrive. */
    private void sync(OpDesc d, long deadline, String stage) {
        long mine = shared.arrivals.incrementAndGet(rank);
        int phase = shared.phaser.arrive();
        try {
            int next = shared.phaser.awaitAdvanceInterruptibly(phase, Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            if (next < 0) {
                checkHealthy(d.toString());
            }
        } catch (TimeoutException e) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < size(); r++) {
                if (shared.arrivals.get(r) < mine) {
                    missing.add(r);
                }
            }
            StringBuilder closed = new StringBuilder();
            for (int r : missing) {
                if (shared.closed.get(r) != 0) {
                    closed.append(closed.isEmpty() ? " (closed: " : ", ").append(r);
                }
            }
            if (!closed.isEmpty()) {
                closed.append(')');
            }
            throw fail(new DistributedException(d.toString(), missing.isEmpty() ? -1 : missing.getFirst(),
                    d + ": timed out after " + shared.timeout.toMillis() + " ms waiting for ranks " + missing
                            + closed + " to " + stage));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new DistributedException(d.toString(), -1, d + ": interrupted", e));
        }
    }

    private DistributedException fail(DistributedException e) {
        if (shared.failure.compareAndSet(null, e)) {
            shared.phaser.forceTermination();
            return e;
        }
        DistributedException first = shared.failure.get();
        return first == e ? e : aborted(e.operation(), first);
    }

    private void checkHealthy(String what) {
        DistributedException f = shared.failure.get();
        if (f != null) {
            throw aborted(what, f);
        }
    }

    private static DistributedException aborted(String what, DistributedException first) {
        if (first.operation().equals(what)) {
            return first;
        }
        return new DistributedException(what, first.failedRank(), what + ": the group was aborted by an earlier "
                + "failure: " + first.getMessage(), first);
    }

    @Override
    public void close() {
        shared.closed.set(rank, 1);
        ops.close();
    }

    @Override
    public String toString() {
        return "ThreadGroup[rank " + rank + " of " + size() + "]";
    }
}
