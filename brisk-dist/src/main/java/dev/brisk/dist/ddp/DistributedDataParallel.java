package dev.brisk.dist.ddp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.dist.Work;
import dev.brisk.nn.Module;
import dev.brisk.optim.Optimizer;
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
 * <p><b>Compression</b> ({@link Options#compression()}): buckets may travel as bf16/fp16 or as top-k entries with
 * error feedback, all-gathered and summed in rank order on every rank (see {@link Compression}); decoding happens in
 * {@code finishGradients}.
 *
 * <p><b>ZeRO</b> ({@link Options#zeroStage()} 1 or 2): the buckets are also the unit of sharding: rank {@code r}
 * owns chunk {@code r} of every bucket, trains with {@link #shardOptimizer(Optimizer)} (state for its chunks only)
 * and all-gathers the updated parameters in {@link #afterOptimizerStep()}; both stages reduce-scatter the buckets
 * instead of all-reducing them, and stage 2 keeps only the owned gradients between steps. See {@link ZeroShards}.
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
     * @param zeroStage           0: plain DDP; 1: optimizer state sharded across ranks; 2: gradients sharded too
     *                            (see {@link #shardOptimizer} and {@link ZeroShards})
     * @param compression         how gradient buckets cross the wire (plain DDP only): {@link Compression}
     */
    public record Options(long bucketCapBytes, long firstBucketCapBytes, boolean broadcastBuffers, int zeroStage,
                          Compression compression) {

        public Options {
            if (bucketCapBytes < 4 || firstBucketCapBytes < 4) {
                throw new IllegalArgumentException("bucket caps must be at least 4 bytes (one float), got "
                        + firstBucketCapBytes + " and " + bucketCapBytes);
            }
            if (zeroStage < 0 || zeroStage > 2) {
                throw new IllegalArgumentException("ZeRO stage must be 0 (off), 1 or 2, got " + zeroStage);
            }
            java.util.Objects.requireNonNull(compression, "compression");
            if (zeroStage > 0 && compression.kind() != Compression.Kind.NONE) {
                throw new IllegalArgumentException("gradient compression (" + compression.kind().key() + ") works with"
                        + " plain DDP only, not with ZeRO stage " + zeroStage);
            }
        }

        public Options(long bucketCapBytes, long firstBucketCapBytes, boolean broadcastBuffers) {
            this(bucketCapBytes, firstBucketCapBytes, broadcastBuffers, 0, Compression.none());
        }

        /** 1 MiB first bucket, 25 MiB after, buffers broadcast: PyTorch's defaults. */
        public static Options defaults() {
            return new Options(DEFAULT_BUCKET_CAP_BYTES, DEFAULT_FIRST_BUCKET_CAP_BYTES, true, 0, Compression.none());
        }

        public Options withBucketCaps(long firstBytes, long bytes) {
            return new Options(bytes, firstBytes, broadcastBuffers, zeroStage, compression);
        }

        public Options withBroadcastBuffers(boolean broadcast) {
            return new Options(bucketCapBytes, firstBucketCapBytes, broadcast, zeroStage, compression);
        }

        public Options withZeroStage(int stage) {
            return new Options(bucketCapBytes, firstBucketCapBytes, broadcastBuffers, stage, compression);
        }

        public Options withCompression(Compression c) {
            return new Options(bucketCapBytes, firstBucketCapBytes, broadcastBuffers, zeroStage, c);
        }
    }

    /** A trainable parameter's place in its bucket. */
    static final class Param {
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

    static final class Bucket {
        final int index;
        final List<Param> params = new ArrayList<>();
        int numel;
        float[] flat;
        int pending;
        Work work;
        BucketCodec codec; // null unless compressed
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
    private final ZeroShards zero;  // null unless ZeRO on more than one rank
    private Optimizer sharded;      // the optimizer over this rank's shard, once made

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
        this.zero = distributed && options.zeroStage() > 0 ? new ZeroShards(options.zeroStage(), group, buckets)
                : null;
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
            if (distributed && options.compression().kind() != Compression.Kind.NONE) {
                b.codec = new BucketCodec(options.compression(), b.numel, b.params.size(), group.size());
            }
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
        if (p.bucket.flat == null) { // ZeRO-2 drops the buffers between steps
            p.bucket.flat = new float[p.bucket.numel + p.bucket.params.size()];
        }
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
            if (zero != null) {
                b.work = zero.start(b);
            } else if (b.codec != null) {
                b.codec.encode(b.flat, group.rank());
                b.work = group.allGatherAsync(b.codec.wire, 0, b.codec.wire.length);
            } else {
                b.work = group.allReduceAsync(b.flat, 0, b.flat.length, Reduction.AVG);
            }
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
            for (Bucket b : buckets) {
                if (b.codec != null) {
                    b.codec.decode(b.flat);
                }
            }
            long first = Long.MAX_VALUE;
            long last = 0;
            long bytes = 0;
            for (Bucket b : buckets) {
                long done = b.doneNanos == 0 ? waitEnd : b.doneNanos;
                first = Math.min(first, b.startNanos);
                last = Math.max(last, done);
                bytes += 4L * b.numel;
            }
            if (zero != null) {
                zero.takeGradients();
            } else {
                for (Param p : params) {
                    copyBack(p);
                }
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

    /** Bucket {@code index}'s top-k residual (error feedback), or null when it has none. */
    float[] residual(int index) {
        BucketCodec c = buckets.get(index).codec;
        return c == null ? null : c.residual();
    }

    /** 0 (plain DDP), or the ZeRO stage in effect (0 on a single rank, where there is nothing to shard). */
    public int zeroStage() {
        return zero == null ? 0 : zero.stage();
    }

    /**
     * The optimizer to train with: {@code full} itself without ZeRO; under ZeRO a new optimizer with the same rule,
     * learning rate and groups over the slices of the parameters this rank owns, so that it allocates and updates
     * only its shard of the state. Call once, before the first step; step it as usual, with
     * {@link #clipGradients} and {@link #afterOptimizerStep} around the step (as {@code TrainStep} does).
     */
    public Optimizer shardOptimizer(Optimizer full) {
        if (zero == null) {
            return full;
        }
        if (sharded != null) {
            throw new IllegalStateException("DistributedDataParallel: shardOptimizer was already called");
        }
        sharded = zero.shard(full);
        return sharded;
    }

    /** Per-rank model-state memory under ZeRO, measured and by formula; null without ZeRO or before sharding. */
    public ZeroMemory zeroMemory() {
        return zero == null || sharded == null ? null : zero.memory(sharded);
    }

    @Override
    public double clipGradients(Map<String, Tensor> params, Double maxNorm) {
        return zero == null ? GradientSync.super.clipGradients(params, maxNorm) : zero.clip(params, maxNorm);
    }

    @Override
    public void afterOptimizerStep() {
        checkOpen();
        if (zero != null) {
            zero.gatherParameters();
        }
    }

    @Override
    public boolean shardsOptimizerState() {
        return zero != null;
    }

    @Override
    public Map<String, Tensor> optimizerState(Optimizer optimizer) {
        return zero == null ? optimizer.stateDict() : zero.consolidatedState(requireSharded(optimizer));
    }

    @Override
    public void loadOptimizerState(Optimizer optimizer, Map<String, Tensor> state) {
        if (zero == null) {
            optimizer.loadStateDict(state);
        } else {
            zero.loadState(requireSharded(optimizer), state);
        }
    }

    private Optimizer requireSharded(Optimizer optimizer) {
        if (optimizer != sharded) {
            throw new IllegalArgumentException("under ZeRO the optimizer must be the one shardOptimizer returned");
        }
        return optimizer;
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
