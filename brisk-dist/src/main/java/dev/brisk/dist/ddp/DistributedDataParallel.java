package dev.brisk.dist.ddp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.dist.Work;
import dev.brisk.nn.Module;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * Data-parallel training, as PyTorch's {@code DistributedDataParallel}: every rank holds a full replica of
 * {@link #module()}, runs forward and backward on its own share of the batch, and the gradients are averaged
 * across ranks before the optimizer step, so the replicas stay identical.
 *
 * <p><b>Construction</b> (collective: every rank constructs its wrapper at the same point) checks that all ranks
 * have the same parameters and buffers (names, order, dtypes, shapes; two small all-reduces; on a mismatch every
 * rank throws an {@link IllegalStateException} naming the first differing entry and what each rank has there),
 * then broadcasts every parameter and buffer from rank 0, so replicas start identical whatever each rank's seed.
 *
 * <p><b>Buckets.</b> Trainable parameters are grouped, in <em>reverse</em> registration order (roughly the order
 * backward produces their gradients), into buckets: the first closes once it holds at least
 * {@link Options#firstBucketCapBytes()} (1 MiB), the others at {@link Options#bucketCapBytes()} (25 MiB). Each bucket
 * is one flat {@code float[]}: the gradients, then one "has a gradient" flag per parameter. A grad-ready hook on each
 * parameter copies its final gradient into the bucket; when a bucket's last gradient arrives its asynchronous
 * all-reduce (AVG) starts, while backward goes on. Buckets are started strictly in index order (a ready bucket waits
 * for its predecessors), so every rank issues the same collectives in the same order whatever its timing.
 * {@link #finishGradients()} waits for them and copies the averages back into each {@code grad()}.
 *
 * <p><b>Parameters without a gradient</b> (not used in this step's forward, on some or all ranks): their hook
 * never fires, so their buckets cannot complete during backward. {@code finishGradients} treats them as ready
 * once backward is over (PyTorch's {@code find_unused_parameters}, always on here, at no extra cost): it copies the
 * local gradient (or zeros, if there is none) and starts the remaining buckets. The flags travel with the
 * gradients, so a parameter used on any rank gets the average over all ranks (ranks that did not use it count as
 * zero, as in PyTorch), while one used on no rank keeps its {@code null} gradient (the optimizer skips it).
 *
 * <p><b>Gradient accumulation.</b> Inside {@link #noSync()} hooks do not communicate: gradients accumulate
 * locally; the first backward outside it sends the accumulated sum (one all-reduce per step, not per
 * micro-batch). A gradient may become ready only once per synchronised step: a second synchronised backward
 * before {@code finishGradients} is an error that says to use {@code noSync}.
 *
 * <p><b>Buffers</b> (BatchNorm running statistics): PyTorch's default, {@code broadcast_buffers=True}: before each
 * synchronised forward ({@link #beforeForward()}), rank 0's floating-point buffers are broadcast to all ranks, so
 * every replica evaluates with rank 0's statistics. Integer buffers (counters such as
 * {@code num_batches_tracked}, dropout generator states) are broadcast once at construction and then evolve
 * identically (or per rank) without communication. {@link Options#broadcastBuffers()} false keeps every buffer
 * local after construction.
 *
 * <p><b>Threads.</b> One wrapper belongs to one training thread (hooks run on the thread that calls backward); the
 * all-reduces run on the group's operation thread. A bucket's buffer is not touched between its start and
 * {@code finishGradients}. Hooks cannot be removed from a tensor: after {@link #close()} they do nothing; wrap a
 * module at most once.
 *
 * <p>With a group of size 1 every method is a no-op: single-process training may run this code path.
 */
public final class DistributedDataParallel implements GradientSync, AutoCloseable {

    public static final long DEFAULT_BUCKET_CAP_BYTES = 25L << 20;
    public static final long DEFAULT_FIRST_BUCKET_CAP_BYTES = 1L << 20;

    /**
     * @param bucketCapBytes      a bucket is closed once it holds at least this many gradient bytes (25 MiB)
     * @param firstBucketCapBytes the same for the first bucket (the last gradients of backward: 1 MiB, so that
     *                            little communication is left once backward ends)
     * @param broadcastBuffers    broadcast rank 0's floating-point buffers before every synchronised forward
     */
    public record Options(long bucketCapBytes, long firstBucketCapBytes, boolean broadcastBuffers) {

        public Options {
            if (bucketCapBytes < 4 || firstBucketCapBytes < 4) {
                throw new IllegalArgumentException("bucket caps must be at least 4 bytes (one float), got "
                        + firstBucketCapBytes + " and " + bucketCapBytes);
            }
        }

        /** 1 MiB first bucket, 25 MiB after, buffers broadcast: PyTorch's defaults. */
        public static Options defaults() {
            return new Options(DEFAULT_BUCKET_CAP_BYTES, DEFAULT_FIRST_BUCKET_CAP_BYTES, true);
        }

        public Options withBucketCaps(long firstBytes, long bytes) {
            return new Options(bytes, firstBytes, broadcastBuffers);
        }

        public Options withBroadcastBuffers(boolean broadcast) {
            return new Options(bucketCapBytes, firstBucketCapBytes, broadcast);
        }
    }

    /** A trainable parameter's place in its bucket. */
    private static final class Param {
        final String name;
        final Tensor tensor;
        final Bucket bucket;
        final int offset; // of its gradient in the bucket
        final int slot;   // of its flag: bucket.numel + slot
        final int numel;
        boolean ready;

        Param(String name, Tensor tensor, Bucket bucket, int offset, int slot) {
            this.name = name;
            this.tensor = tensor;
            this.bucket = bucket;
            this.offset = offset;
            this.slot = slot;
            this.numel = tensor.numel();
        }
    }

    private static final class Bucket {
        final int index;
        final List<Param> params = new ArrayList<>();
        int numel;
        float[] flat;
        int pending;
        Work work;
        long startNanos;
        volatile long doneNanos;

        Bucket(int index) {
            this.index = index;
        }
    }

    private final Module module;
    private final ProcessGroup group;
    private final Options options;
    private final List<Bucket> buckets = new ArrayList<>();
    private final List<Param> params = new ArrayList<>();
    private final SequencedMap<String, Tensor> floatBuffers = new LinkedHashMap<>();
    private final boolean distributed;

    private int noSyncDepth;
    private boolean stepOpen;       // a hook fired since the last finishGradients
    private boolean inFinish;
    private int nextBucket;         // the next bucket to start
    private int startedInBackward;
    private boolean closed;
    private SyncStats lastStep = SyncStats.NONE;
    private long syncedSteps;
    private long bucketCollectives;

    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, Options.defaults());
    }

    public DistributedDataParallel(Module module, ProcessGroup group, Options options) {
        this.module = Objects.requireNonNull(module, "module");
        this.group = Objects.requireNonNull(group, "group");
        this.options = Objects.requireNonNull(options, "options");
        this.distributed = group.size() > 1;
        SequencedMap<String, Tensor> named = module.namedParameters();
        SequencedMap<String, Tensor> bufs = module.namedBuffers();
        List<String> layout = new ArrayList<>();
        named.forEach((n, t) -> layout.add(ReplicaSync.describe("parameter", n, t)
                + (t.requiresGrad() ? "" : " (frozen)")));
        bufs.forEach((n, t) -> layout.add(ReplicaSync.describe("buffer", n, t)));
        ReplicaSync.verifySameLayout(group, layout);
        SequencedMap<String, Tensor> state = new LinkedHashMap<>(named);
        bufs.forEach((n, t) -> state.put("buffer:" + n, t));
        ReplicaSync.broadcast(group, state, 0);
        bufs.forEach((n, t) -> {
            if (t.dtype().isFloatingPoint()) {
                floatBuffers.put(n, t);
            }
        });
        buildBuckets(named);
        if (distributed) {
            for (Param p : params) {
                p.tensor.registerGradReadyHook(t -> onGradReady(p));
            }
        }
    }

    private void buildBuckets(SequencedMap<String, Tensor> named) {
        List<Map.Entry<String, Tensor>> reversed = new ArrayList<>(named.sequencedEntrySet());
        Collections.reverse(reversed);
        Bucket current = null;
        long bytes = 0;
        for (Map.Entry<String, Tensor> e : reversed) {
            Tensor t = e.getValue();
            if (!t.requiresGrad()) {
                continue;
            }
            if (t.dtype() != DType.F32) {
                throw new IllegalArgumentException("DistributedDataParallel: parameter '" + e.getKey() + "' is "
                        + t.dtype() + "; master parameters must be F32 (gradients are F32)");
            }
            if (current == null) {
                current = new Bucket(buckets.size());
                buckets.add(current);
                bytes = 0;
            }
            if ((long) current.numel + t.numel() + current.params.size() + 1 > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("DistributedDataParallel: parameter '" + e.getKey()
                        + "' does not fit a bucket (" + t.numel() + " elements)");
            }
            Param p = new Param(e.getKey(), t, current, current.numel, current.params.size());
            current.params.add(p);
            current.numel += t.numel();
            params.add(p);
            bytes += 4L * t.numel();
            long cap = current.index == 0 ? options.firstBucketCapBytes() : options.bucketCapBytes();
            if (bytes >= cap) {
                current = null;
            }
        }
        for (Bucket b : buckets) {
            b.flat = distributed ? new float[b.numel + b.params.size()] : new float[0];
            b.pending = b.params.size();
        }
    }

    public Module module() {
        return module;
    }

    public ProcessGroup group() {
        return group;
    }

    public Options options() {
        return options;
    }

    /** {@link #beforeForward()}, then the wrapped module's forward. */
    public Tensor forward(Tensor input) {
        beforeForward();
        return module.forward(input);
    }

    /**
     * The bucket layout: for each bucket, in the order they are all-reduced, the names of its parameters (reverse
     * registration order).
     */
    public List<List<String>> bucketLayout() {
        List<List<String>> out = new ArrayList<>();
        for (Bucket b : buckets) {
            out.add(b.params.stream().map(p -> p.name).toList());
        }
        return out;
    }

    /** Steps whose gradients were averaged ({@code finishGradients} outside {@code noSync}). */
    public long synchronizedSteps() {
        return syncedSteps;
    }

    /** Bucket all-reduces issued so far. */
    public long bucketCollectives() {
        return bucketCollectives;
    }

    @Override
    public SyncStats lastStep() {
        return lastStep;
    }

    @Override
    public void beforeForward() {
        checkOpen();
        if (stepOpen) {
            throw new IllegalStateException("DistributedDataParallel: a synchronised backward already ran and "
                    + "finishGradients() was not called; call it once per step after the last backward (run the "
                    + "other micro-batches under noSync())");
        }
        if (distributed && noSyncDepth == 0 && options.broadcastBuffers() && !floatBuffers.isEmpty()
                && module.isTraining()) {
            ReplicaSync.broadcast(group, floatBuffers, 0);
        }
    }

    @Override
    public Scope noSync() {
        checkOpen();
        noSyncDepth++;
        return new Scope() {
            private boolean done;

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    noSyncDepth--;
                }
            }
        };
    }

    /** Whether a {@link #noSync()} scope is open. */
    public boolean inNoSync() {
        return noSyncDepth > 0;
    }

    private void onGradReady(Param p) {
        if (closed || noSyncDepth > 0) {
            return;
        }
        stepOpen = true;
        if (p.ready) {
            throw new IllegalStateException("DistributedDataParallel: the gradient of '" + p.name + "' became ready "
                    + "twice in one synchronised step; run every backward but the last of a step under noSync(), "
                    + "and call finishGradients() once per step");
        }
        markReady(p);
        startReadyBuckets();
    }

    private void markReady(Param p) {
        Tensor g = p.tensor.grad();
        float[] flat = p.bucket.flat;
        if (g == null) {
            java.util.Arrays.fill(flat, p.offset, p.offset + p.numel, 0f);
            flat[p.bucket.numel + p.slot] = 0f;
        } else {
            if (g.dtype() == DType.F32 && g.isContiguous()) {
                System.arraycopy(g.storage().floats(), g.offset(), flat, p.offset, p.numel);
            } else {
                System.arraycopy(g.toFloatArray(), 0, flat, p.offset, p.numel);
            }
            flat[p.bucket.numel + p.slot] = 1f;
        }
        p.ready = true;
        p.bucket.pending--;
    }

    /** Starts every consecutive complete bucket from {@link #nextBucket}: the same order on every rank. */
    private void startReadyBuckets() {
        while (nextBucket < buckets.size() && buckets.get(nextBucket).pending == 0) {
            Bucket b = buckets.get(nextBucket++);
            b.doneNanos = 0;
            b.startNanos = System.nanoTime();
            b.work = group.allReduceAsync(b.flat, 0, b.flat.length, Reduction.AVG);
            b.work.whenDone(() -> b.doneNanos = System.nanoTime());
            bucketCollectives++;
            if (!inFinish) {
                startedInBackward++;
            }
        }
    }

    @Override
    public boolean finishGradients() {
        checkOpen();
        if (noSyncDepth > 0) {
            return false;
        }
        if (!distributed) {
            syncedSteps++;
            return true;
        }
        long t0 = System.nanoTime();
        inFinish = true;
        try {
            // backward is over: parameters whose hook did not fire contribute what they have (or zeros)
            for (Param p : params) {
                if (!p.ready) {
                    markReady(p);
                }
            }
            startReadyBuckets();
            long waitStart = System.nanoTime();
            for (Bucket b : buckets) {
                b.work.await();
            }
            long waitEnd = System.nanoTime();
            long first = Long.MAX_VALUE;
            long last = 0;
            long bytes = 0;
            for (Bucket b : buckets) {
                long done = b.doneNanos == 0 ? waitEnd : b.doneNanos;
                first = Math.min(first, b.startNanos);
                last = Math.max(last, done);
                bytes += 4L * b.numel;
            }
            for (Param p : params) {
                copyBack(p);
            }
            long t1 = System.nanoTime();
            double comm = buckets.isEmpty() ? 0 : Math.max(0, last - first) / 1e6;
            double exposed = (waitEnd - waitStart) / 1e6;
            lastStep = new SyncStats(buckets.size(), startedInBackward, bytes, comm, exposed,
                    Math.max(0, comm - exposed), (t1 - t0) / 1e6);
            syncedSteps++;
            return true;
        } finally {
            resetStep();
        }
    }

    private void copyBack(Param p) {
        float[] flat = p.bucket.flat;
        if (flat[p.bucket.numel + p.slot] <= 0f) {
            return; // no rank had a gradient: leave it (null everywhere)
        }
        Tensor g = p.tensor.grad();
        if (g == null || g.dtype() != DType.F32 || !g.isContiguous()) {
            p.tensor.setGrad(Tensor.zeros(p.tensor.shape()));
            g = p.tensor.grad();
        }
        System.arraycopy(flat, p.offset, g.storage().floats(), g.offset(), p.numel);
    }

    private void resetStep() {
        inFinish = false;
        stepOpen = false;
        startedInBackward = 0;
        nextBucket = 0;
        for (Bucket b : buckets) {
            b.pending = b.params.size();
            b.work = null;
        }
        for (Param p : params) {
            p.ready = false;
        }
    }

    @Override
    public boolean anyRank(boolean flag) {
        checkOpen();
        if (!distributed) {
            return flag;
        }
        float[] f = {flag ? 1f : 0f};
        group.allReduce(f, Reduction.MAX);
        return f[0] > 0;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("DistributedDataParallel is closed");
        }
    }

    /** Disables the hooks. Does not close the process group (the caller owns it). Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "DistributedDataParallel[rank " + group.rank() + " of " + group.size() + ", " + params.size()
                + " parameters in " + buckets.size() + " buckets]";
    }
}
