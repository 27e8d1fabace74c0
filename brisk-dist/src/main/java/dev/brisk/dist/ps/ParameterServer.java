package dev.brisk.dist.ps;

import dev.brisk.dist.DistributedException;
import dev.brisk.dist.ProcessGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One server of a parameter server (Li et al. 2014): it holds a contiguous shard of the flat parameter vector and
 * serves each worker on its own link (a two-rank {@link ProcessGroup}, so TCP links carry the group's
 * authentication and every receive its timeout), one thread per worker, so workers progress independently. A
 * push applies SGD ({@code w −= lr·g}) to the shard at once — asynchronously, on whatever the shard holds then.
 *
 * <p>Bounded staleness (stale-synchronous parallel, Ho et al. 2013). Worker clocks count pushes. A pull by a
 * worker at clock c is answered only once every unfinished worker has reached clock {@code c − s}, so the fastest
 * worker runs at most s steps ahead of the slowest: {@code s = 0} is bulk-synchronous, a large s asynchronous. A
 * pull that waits longer than the link's timeout fails, naming the slowest worker.
 *
 * <p>Metrics: the staleness of a push is the number of other workers' updates applied to the shard between the
 * worker's pull and its push; {@link #stalenessHistogram()} counts them. {@link #maxClockLead()} is the largest
 * {@code c − min clock} at which a pull was granted (never more than s).
 */
public final class ParameterServer implements AutoCloseable {

    private final float[] shard;
    private final List<ProcessGroup> links;
    private final int staleness;
    private final java.util.function.LongToDoubleFunction lr;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition clockAdvanced = lock.newCondition();
    private final long[] clocks;
    private final boolean[] finished;
    private final long[] pulledVersion;
    private long[] histogram = new long[8]; // histogram[k]: pushes of staleness k
    private int maxStaleness = -1;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private long version;
    private long maxLead;

    /**
     * @param shard     this server's initial slice of the parameters (owned from now on)
     * @param links     link w serves worker w; this server is rank 0 of each
     * @param staleness the bound s, >= 0
     * @param lr        SGD learning rate applied to every pushed gradient
     */
    public ParameterServer(float[] shard, List<ProcessGroup> links, int staleness, float lr) {
        this(shard, links, staleness, updates -> lr);
    }

    /**
     * As above with a learning-rate schedule: the k-th update applied to this shard (k from 0) uses
     * {@code lr.applyAsDouble(k)}.
     */
    public ParameterServer(float[] shard, List<ProcessGroup> links, int staleness,
                           java.util.function.LongToDoubleFunction lr) {
        if (staleness < 0) {
            throw new IllegalArgumentException("staleness bound must be >= 0, got " + staleness);
        }
        for (ProcessGroup g : links) {
            if (g.size() != 2 || g.rank() != PsProtocol.SERVER) {
                throw new IllegalArgumentException("a server link is a 2-rank group with the server as rank 0; got"
                        + " rank " + g.rank() + " of " + g.size());
            }
        }
        this.shard = shard;
        this.links = List.copyOf(links);
        this.staleness = staleness;
        this.lr = lr;
        this.clocks = new long[links.size()];
        this.finished = new boolean[links.size()];
        this.pulledVersion = new long[links.size()];
    }

    /** Starts serving every worker (one thread each). */
    public ParameterServer start() {
        for (int w = 0; w < links.size(); w++) {
            int worker = w;
            Thread t = Thread.ofPlatform().daemon().name("brisk-ps-serve-w" + w).start(() -> serve(worker));
            threads.add(t);
        }
        return this;
    }

    /** Waits until every worker has stopped; rethrows the first failure of a serving thread. */
    public void awaitWorkers(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread t : threads) {
            try {
                if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    DistributedException late = new DistributedException("parameter server", -1, "workers did not "
                            + "all stop within " + bound.toSeconds() + " s");
                    Throwable root = failure.get();
                    if (root != null) { // the cause comes first; the serving threads still blocked are its echo
                        RuntimeException first = asUnchecked(root);
                        first.addSuppressed(late);
                        throw first;
                    }
                    throw late;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedException("parameter server", -1, "interrupted", e);
            }
        }
        Throwable f = failure.get();
        if (f != null) {
            throw asUnchecked(f);
        }
    }

    /** The first failure of a serving thread, or null. */
    Throwable failure() {
        return failure.get();
    }

    private static RuntimeException asUnchecked(Throwable f) {
        return f instanceof RuntimeException r ? r
                : new DistributedException("parameter server", -1, "serving failed: " + f, f);
    }

    private void serve(int w) {
        ProcessGroup link = links.get(w);
        float[] header = new float[PsProtocol.HEADER];
        float[] buf = new float[shard.length];
        try {
            while (true) {
                link.recv(header, 0, PsProtocol.HEADER, PsProtocol.WORKER);
                long clock = (long) header[1];
                if (header[0] == PsProtocol.PULL) {
                    awaitTurn(w, clock, link.timeout(), buf);
                    link.send(buf, 0, buf.length, PsProtocol.WORKER);
                } else if (header[0] == PsProtocol.PUSH) {
                    link.recv(buf, 0, buf.length, PsProtocol.WORKER);
                    apply(w, clock, buf);
                } else if (header[0] == PsProtocol.STOP) {
                    finish(w);
                    // acknowledged, so the worker closes its end only after this side has read everything
                    link.send(header, 0, 1, PsProtocol.WORKER);
                    return;
                } else {
                    throw new DistributedException("parameter server", w, "worker " + w + " sent unknown request "
                            + header[0]);
                }
            }
        } catch (DistributedException e) {
            failure.compareAndSet(null, e.getMessage().contains("worker " + w) ? e
                    : new DistributedException(e.operation(), e.failedRank(), "serving worker " + w + ": "
                    + e.getMessage(), e));
            finishAll();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            finishAll();
        }
    }

    /** Blocks until the SSP bound lets worker w at {@code clock} read, then copies the shard into {@code into}. */
    private void awaitTurn(int w, long clock, Duration timeout, float[] into) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (clock - minClock() > staleness) {
                if (failure.get() != null) {
                    throw new DistributedException("parameter server", -1, "aborted by another worker's failure");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DistributedException("parameter server pull", slowest(), "worker " + w + " at clock "
                            + clock + " waited " + timeout.toMillis() + " ms for worker " + slowest() + " (clock "
                            + minClock() + ") to come within the staleness bound " + staleness);
                }
                clockAdvanced.await(left, TimeUnit.NANOSECONDS);
            }
            maxLead = Math.max(maxLead, clock - Math.min(clock, minClock()));
            pulledVersion[w] = version;
            System.arraycopy(shard, 0, into, 0, shard.length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("parameter server", -1, "interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    private void apply(int w, long clock, float[] grad) {
        lock.lock();
        try {
            float rate = (float) lr.applyAsDouble(version);
            for (int i = 0; i < shard.length; i++) {
                shard[i] -= rate * grad[i];
            }
            count((int) (version - pulledVersion[w]));
            version++;
            clocks[w] = clock + 1;
            clockAdvanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void count(int staleness) {
        if (staleness >= histogram.length) {
            histogram = java.util.Arrays.copyOf(histogram, Math.max(staleness + 1, 2 * histogram.length));
        }
        histogram[staleness]++;
        maxStaleness = Math.max(maxStaleness, staleness);
    }

    private void finish(int w) {
        lock.lock();
        try {
            finished[w] = true;
            clockAdvanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void finishAll() {
        lock.lock();
        try {
            clockAdvanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long minClock() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < clocks.length; i++) {
            if (!finished[i]) {
                min = Math.min(min, clocks[i]);
            }
        }
        return min;
    }

    private int slowest() {
        int s = -1;
        for (int i = 0; i < clocks.length; i++) {
            if (!finished[i] && (s < 0 || clocks[i] < clocks[s])) {
                s = i;
            }
        }
        return s;
    }

    /** A copy of the shard's current values. */
    public float[] values() {
        lock.lock();
        try {
            return shard.clone();
        } finally {
            lock.unlock();
        }
    }

    /** {@code h[k]}: how many pushes had staleness k. */
    public long[] stalenessHistogram() {
        lock.lock();
        try {
            return java.util.Arrays.copyOf(histogram, maxStaleness + 1);
        } finally {
            lock.unlock();
        }
    }

    /** The largest lead of a pulling worker over the slowest one at which a pull was granted. */
    public long maxClockLead() {
        lock.lock();
        try {
            return maxLead;
        } finally {
            lock.unlock();
        }
    }

    /** Updates applied so far. */
    public long updates() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        for (ProcessGroup g : links) {
            g.close();
        }
    }
}
