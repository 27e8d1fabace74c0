package dev.brisk.dist;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one connection between this rank and one peer, with a dedicated reader and writer thread so that sending,
 * receiving and reducing overlap.
 *
 * <p>Implementation overview. The writer drains an unbounded FIFO of {@link Outbound} frames; each refers to a
 * range of the caller's {@code float[]}, copied into one direct buffer right before it is written, so the op
 * thread never blocks on a send. The reader reads whole frames into a ring of at most {@link #DEPTH} direct
 * buffers and hands them to the op thread through {@link #inbox}; the op thread returns each buffer with
 * {@link #release}. With every buffer in use the reader stops reading, and TCP flow control pushes back on the
 * peer's writer: memory per link is bounded by {@code DEPTH} frames. Invariants: frames leave and arrive in
 * FIFO order; the inbox never holds more than {@code DEPTH} frames (so {@code inbox.add} never blocks); an I/O
 * error or a malformed frame is reported once to the group, which aborts everything; after a BYE the peer's EOF
 * is expected and quiet. Neither thread waits without a bound: both poll in slices and check {@link #closing},
 * and closing the channel unblocks a read or write in progress.
 *
 * <p>With a {@link ShmChannel} (ring neighbours on one host) every data frame's payload goes through the shared
 * ring instead: the writer copies it into the next free slot and then sends only the header (kind SHM), the reader
 * hands out the slot itself, and {@link #release} frees it for the peer's writer. The socket still carries every
 * header in order, BYE, and the EOF that tells a dead peer.
 */
final class PeerLink {

    static final int DEPTH = 4;
    private static final long SLICE_NANOS = 50_000_000L;

    /**
     * A frame to send: its header and {@code frame.bytes/4} floats of {@code src} from {@code off}; a null frame
     * is a flush marker whose latch opens once everything queued before it has been written.
     */
    record Outbound(Frame frame, float[] src, int off, CountDownLatch sent) {
    }

    /** A received frame; {@code payload} is positioned at the floats and must be {@link #release}d. */
    record Inbound(Frame frame, ByteBuffer payload) {
    }

    /** Where the link reports a failure (the group). */
    interface Failures {
        void linkFailed(int peer, String message, Throwable cause);
    }

    final int peer;
    private final SocketChannel channel;
    private final ShmChannel shm;
    private final Failures failures;
    final ArrayBlockingQueue<Inbound> inbox = new ArrayBlockingQueue<>(DEPTH);
    private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(DEPTH);
    private final LinkedBlockingQueue<Outbound> outbox = new LinkedBlockingQueue<>();
    private int allocated;
    private final Thread reader;
    private final Thread writer;
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    volatile boolean peerSaidBye;
    private volatile boolean closing;

    PeerLink(int self, int peer, SocketChannel channel, ShmChannel shm, Failures failures) {
        this.peer = peer;
        this.channel = channel;
        this.shm = shm;
        this.failures = failures;
        this.reader = Thread.ofPlatform().name("brisk-dist-read-r" + self + "-from-" + peer).daemon()
                .unstarted(this::readLoop);
        this.writer = Thread.ofPlatform().name("brisk-dist-write-r" + self + "-to-" + peer).daemon()
                .unstarted(this::writeLoop);
        reader.start();
        writer.start();
    }

    void send(Outbound o) {
        outbox.add(o);
    }

    void release(ByteBuffer b) {
        if (shm != null) {
            shm.release();
        } else {
            free.offer(b);
        }
    }

    boolean sharedMemory() {
        return shm != null;
    }

    // ---- reader -----------------------------------------------------------------------------------------------

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocateDirect(Frame.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (!closing) {
                header.clear();
                if (!readFully(header, true)) {
                    if (!peerSaidBye && !closing) {
                        failures.linkFailed(peer, "rank " + peer + " closed the connection", null);
                    }
                    return;
                }
                header.flip();
                Frame f = Frame.decode(header);
                if (f.kind() == Frame.BYE) {
                    peerSaidBye = true;
                    continue;
                }
                if ((f.kind() == Frame.SHM) != (shm != null)) {
                    throw new Frame.ProtocolException((shm != null ? "a stream" : "a shared-memory") + " data frame on"
                            + " a " + (shm != null ? "shared-memory" : "TCP") + " link");
                }
                if (shm != null) {
                    bytesReceived.addAndGet(Frame.HEADER + f.bytes());
                    inbox.add(new Inbound(f, shm.take(f.bytes())));
                    continue;
                }
                ByteBuffer buf = takeBuffer(f.bytes());
                if (buf == null) {
                    return; // closing
                }
                buf.clear().limit(f.bytes());
                if (!readFully(buf, false)) {
                    return;
                }
                buf.flip();
                bytesReceived.addAndGet(Frame.HEADER + f.bytes());
                inbox.add(new Inbound(f, buf));
            }
        } catch (Frame.ProtocolException e) {
            failures.linkFailed(peer, "malformed frame from rank " + peer + ": " + e.getMessage(), e);
        } catch (AsynchronousCloseException e) {
            // closed by close() or abort(): nothing to report
        } catch (IOException e) {
            if (!closing && !peerSaidBye) {
                failures.linkFailed(peer, "connection to rank " + peer + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Reads until {@code b} is full; false on EOF at a frame boundary (allowed only if {@code atBoundary}). */
    private boolean readFully(ByteBuffer b, boolean atBoundary) throws IOException {
        boolean started = !atBoundary;
        while (b.hasRemaining()) {
            int n = channel.read(b);
            if (n < 0) {
                if (!started) {
                    return false;
                }
                throw new EOFException("rank " + peer + " closed the connection in the middle of a frame");
            }
            started |= n > 0;
        }
        return true;
    }

    /** A free buffer of at least {@code bytes}, waiting (in slices) while all {@link #DEPTH} are in use. */
    private ByteBuffer takeBuffer(int bytes) {
        while (!closing) {
            ByteBuffer b = free.poll();
            if (b == null && allocated < DEPTH) {
                allocated++;
                b = ByteBuffer.allocateDirect(Math.max(bytes, 4096)).order(ByteOrder.LITTLE_ENDIAN);
            }
            if (b == null) {
                try {
                    b = free.poll(SLICE_NANOS, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return null;
                }
            }
            if (b != null) {
                if (b.capacity() < bytes) {
                    b = ByteBuffer.allocateDirect(Math.max(bytes, Math.min(Frame.MAX_PAYLOAD, 2 * b.capacity())))
                            .order(ByteOrder.LITTLE_ENDIAN);
                }
                return b;
            }
        }
        return null;
    }

    // ---- writer -----------------------------------------------------------------------------------------------

    private void writeLoop() {
        ByteBuffer out = null;
        try {
            while (!closing) {
                Outbound o;
                try {
                    o = outbox.poll(SLICE_NANOS, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (o == null) {
                    continue;
                }
                if (o.frame() == null) { // a flush marker: everything before it has been written
                    o.sent().countDown();
                    continue;
                }
                int bytes = o.frame().bytes();
                Frame frame = o.frame();
                if (shm != null && frame.kind() == Frame.DATA) {
                    if (!shm.write(o.src(), o.off(), bytes / Float.BYTES, () -> closing)) {
                        return;
                    }
                    frame = new Frame(Frame.SHM, frame.desc(), frame.part(), bytes);
                }
                int onStream = frame.kind() == Frame.SHM ? 0 : bytes;
                if (out == null || out.capacity() < Frame.HEADER + onStream) {
                    out = ByteBuffer.allocateDirect(Frame.HEADER + Math.max(onStream, Math.min(Frame.MAX_PAYLOAD,
                            out == null ? 4096 : 2 * out.capacity()))).order(ByteOrder.LITTLE_ENDIAN);
                }
                out.clear();
                frame.encode(out);
                if (onStream > 0) {
                    out.asFloatBuffer().put(o.src(), o.off(), onStream / Float.BYTES);
                }
                out.position(0).limit(Frame.HEADER + onStream);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                bytesSent.addAndGet(Frame.HEADER + bytes);
                if (o.sent() != null) {
                    o.sent().countDown();
                }
            }
        } catch (AsynchronousCloseException e) {
            // closed by close() or abort()
        } catch (IOException e) {
            if (!closing) {
                failures.linkFailed(peer, "sending to rank " + peer + " failed: " + e.getMessage(), e);
            }
        }
    }

    // ---- shutdown ---------------------------------------------------------------------------------------------

    /** Graceful: sends BYE after everything queued, waits (bounded) for it to leave. */
    void sayBye(long deadline) {
        CountDownLatch sent = new CountDownLatch(1);
        outbox.add(new Outbound(Frame.bye(), null, 0, sent));
        try {
            sent.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the socket (unblocking both threads); idempotent. */
    void abort() {
        closing = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Aborts, joins both threads (bounded) and unmaps the shared ring; the op thread must be done with it. */
    void close() {
        abort();
        for (Thread t : new Thread[] {reader, writer}) {
            if (t != Thread.currentThread()) {
                t.interrupt();
                try {
                    t.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (shm != null) {
            shm.close();
        }
    }
}
