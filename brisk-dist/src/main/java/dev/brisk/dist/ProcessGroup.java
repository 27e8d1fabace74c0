package dev.brisk.dist;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.time.Duration;
import java.util.Objects;

/**
 * A fixed set of {@link #size()} ranks that run collectives together: every rank issues the same collectives, in
 * the same order, with the same element count (and op, and root). Three implementations:
 * {@link SingleProcessGroup} (world size 1: every operation is a no-op, so single-process training runs the same
 * code), {@link ThreadGroup} (ranks are threads of one JVM sharing memory) and {@link TcpGroup} (ranks are
 * processes connected by a TCP mesh, running ring collectives).
 *
 * <p>The primitives work in place on flat {@code float[]} ranges, which is what DDP buckets and ZeRO shards are;
 * the {@link Tensor} overloads unwrap a contiguous F32 tensor onto them. Each primitive has an {@code ...Async}
 * form returning a {@link Work}: operations of one group run one after another on a per-rank thread, in issue
 * order, so a gradient-ready hook can start a bucket's all-reduce and keep computing. The buffer must not be
 * touched until the work is done. The blocking forms are {@code async(...).await()}.
 *
 * <p>Every operation is bounded by {@link #timeout()}. The first failure on any rank (a peer gone, a timeout, a
 * bad or mismatched message) aborts the group on every rank, each raising a {@link DistributedException} that
 * names the operation and the failed rank; every later operation throws too.
 *
 * <p>Chunk layout for {@link #reduceScatterAsync} and {@link #allGatherAsync}: {@link Chunking} — rank {@code r}
 * owns chunk {@code r}. A reduce-scatter followed by an all-gather of the same range is an all-reduce, bit for
 * bit.
 */
public sealed interface ProcessGroup extends AutoCloseable permits SingleProcessGroup, ThreadGroup, TcpGroup {

    int rank();

    int size();

    /** The deadline of each operation, measured from when it starts running. */
    Duration timeout();

    /** {@code buf[off, off+n)} becomes the elementwise reduction over all ranks; identical bits on every rank. */
    Work allReduceAsync(float[] buf, int off, int n, Reduction op);

    /**
     * Reduces {@code buf[off, off+n)} over all ranks into this rank's chunk
     * {@code [off + chunks(n).start(rank), off + chunks(n).end(rank))}; the rest of the range is left unspecified
     * (it is used as scratch).
     */
    Work reduceScatterAsync(float[] buf, int off, int n, Reduction op);

    /** Every rank's chunk {@code chunks(n).start(r)..end(r)} of {@code buf[off, off+n)} is copied to all ranks. */
    Work allGatherAsync(float[] buf, int off, int n);

    /** {@code buf[off, off+n)} of rank {@code root} is copied to every rank. */
    Work broadcastAsync(float[] buf, int off, int n, int root);

    /** Completes on a rank only once every rank has entered the barrier. */
    Work barrierAsync();

    /**
     * Sends {@code buf[off, off+n)} to rank {@code dst}, which must post a matching {@link #recvAsync} of
     * {@code n} elements. Point-to-point messages between two ranks are matched in order, and run in the same
     * per-rank queue as collectives, so both ranks must issue them in the same order relative to the collectives.
     * The send is buffered: it completes once the payload is copied, without waiting for the receiver, so two
     * ranks may send to each other before receiving; {@code buf} may be reused once it completes.
     */
    Work sendAsync(float[] buf, int off, int n, int dst);

    /** Receives {@code n} elements from rank {@code src} into {@code buf[off, off+n)}. */
    Work recvAsync(float[] buf, int off, int n, int src);

    /** Releases threads and sockets; waits (bounded) for queued operations. Idempotent. */
    @Override
    void close();

    // ---- blocking forms ---------------------------------------------------------------------------------------

    default Chunking chunks(int n) {
        return new Chunking(n, size());
    }

    default void allReduce(float[] buf, Reduction op) {
        allReduceAsync(buf, 0, buf.length, op).await();
    }

    default void allReduce(float[] buf, int off, int n, Reduction op) {
        allReduceAsync(buf, off, n, op).await();
    }

    default void reduceScatter(float[] buf, int off, int n, Reduction op) {
        reduceScatterAsync(buf, off, n, op).await();
    }

    default void allGather(float[] buf, int off, int n) {
        allGatherAsync(buf, off, n).await();
    }

    default void broadcast(float[] buf, int off, int n, int root) {
        broadcastAsync(buf, off, n, root).await();
    }

    default void barrier() {
        barrierAsync().await();
    }

    default void send(float[] buf, int off, int n, int dst) {
        sendAsync(buf, off, n, dst).await();
    }

    default void recv(float[] buf, int off, int n, int src) {
        recvAsync(buf, off, n, src).await();
    }

    // ---- tensors (contiguous F32, in place) -------------------------------------------------------------------

    default Work allReduceAsync(Tensor t, Reduction op) {
        return allReduceAsync(floats(t, "allReduce"), t.offset(), t.numel(), op);
    }

    default void allReduce(Tensor t, Reduction op) {
        allReduceAsync(t, op).await();
    }

    default void broadcast(Tensor t, int root) {
        broadcastAsync(floats(t, "broadcast"), t.offset(), t.numel(), root).await();
    }

    default void send(Tensor t, int dst) {
        sendAsync(floats(t, "send"), t.offset(), t.numel(), dst).await();
    }

    default void recv(Tensor t, int src) {
        recvAsync(floats(t, "recv"), t.offset(), t.numel(), src).await();
    }

    /** {@code output} (k elements) becomes this rank's k-element slice of the reduction of {@code input} (size·k). */
    default void reduceScatter(Tensor input, Tensor output, Reduction op) {
        int k = output.numel();
        if (input.numel() != (long) k * size()) {
            throw new IllegalArgumentException("reduceScatter: input has " + input.numel() + " elements, expected "
                    + "size × output = " + size() + " × " + k);
        }
        float[] scratch = input.contiguous().toFloatArray();
        reduceScatter(scratch, 0, scratch.length, op);
        System.arraycopy(scratch, rank() * k, floats(output, "reduceScatter"), output.offset(), k);
    }

    /** {@code output} (size·k elements) becomes the concatenation of every rank's {@code input} (k elements). */
    default void allGather(Tensor input, Tensor output) {
        int k = input.numel();
        if (output.numel() != (long) k * size()) {
            throw new IllegalArgumentException("allGather: output has " + output.numel() + " elements, expected "
                    + "size × input = " + size() + " × " + k);
        }
        float[] out = floats(output, "allGather");
        System.arraycopy(input.contiguous().toFloatArray(), 0, out, output.offset() + rank() * k, k);
        allGather(out, output.offset(), output.numel());
    }

    private static float[] floats(Tensor t, String op) {
        Objects.requireNonNull(t, "tensor");
        if (t.dtype() != DType.F32 || !t.isContiguous()) {
            throw new IllegalArgumentException(op + " needs a contiguous F32 tensor, got " + t.dtype()
                    + (t.isContiguous() ? "" : " (non-contiguous: call contiguous() and copy back)"));
        }
        return t.storage().floats();
    }
}
