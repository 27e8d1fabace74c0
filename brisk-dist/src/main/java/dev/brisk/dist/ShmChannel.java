package dev.brisk.dist;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The data path between two ranks on one host: a file in shared memory, mapped by both, holding one ring of
 * {@link #SLOTS} payload slots per direction. The frame headers still travel over the pair's TCP connection and
 * are the doorbell: the reader blocks on the socket as before, and a 28-byte header tells it that the next slot
 * holds {@code bytes} of payload. So the payload crosses the process boundary with one copy into the slot (by the
 * sender) and is folded or copied straight out of it (by the receiver); over loopback TCP it would cost four
 * copies, two of them in the kernel, which on a machine with few cores is what limits a ring all-reduce.
 *
 * <p>Layout: magic and a random nonce (so the peer proves it mapped the file this rank created), then for each
 * ring a {@code tail} (frames published by its writer) and a {@code head} (frames released by its reader), each
 * on its own cache line, then the slots. Invariants: a writer fills slot {@code tail % SLOTS} only while
 * {@code tail − head < SLOTS}, and publishes it (release store of {@code tail + 1}) before sending the header; a
 * reader takes slots in order, checks that the announced slot was published (acquire load), and releases them in
 * the same order. The creating rank writes ring 0, the other ring 1. A dead peer is noticed through the TCP
 * connection, which stays the authority on liveness and ordering.
 */
final class ShmChannel {

    static final int SLOTS = 4;
    static final int SLOT_BYTES = Frame.MAX_PAYLOAD;
    static final long MAGIC = 0x4d48534b53495242L; // "BRISKSHM" little-endian
    private static final long NONCE = 8;
    private static final long RINGS = 64;
    private static final long SLOT_BASE = 4096;
    static final long FILE_BYTES = SLOT_BASE + 2L * SLOTS * SLOT_BYTES;
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int SPINS = 256;
    private static final long MIN_PARK_NANOS = 20_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private final Arena arena;
    private final MemorySegment map;
    private final int outRing;
    private final ByteBuffer[] inSlots = new ByteBuffer[SLOTS];
    private long published; // writer thread only
    private long taken;     // reader thread only
    private long released;  // op thread only

    private ShmChannel(Arena arena, MemorySegment map, boolean creator) {
        this.arena = arena;
        this.map = map;
        this.outRing = creator ? 0 : 1;
        for (int s = 0; s < SLOTS; s++) {
            inSlots[s] = slot(1 - outRing, s).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Maps {@code file} (already {@link #FILE_BYTES} long and backed) as the creator, writing magic and nonce. */
    static ShmChannel create(Path file, long nonce) throws IOException {
        ShmChannel c = map(file, true);
        c.map.set(ValueLayout.JAVA_LONG, NONCE, nonce);
        c.map.set(ValueLayout.JAVA_LONG, 0, MAGIC);
        return c;
    }

    /** Maps the peer's {@code file}; null unless it has the expected size, magic and nonce. */
    static ShmChannel open(Path file, long nonce) throws IOException {
        ShmChannel c = map(file, false);
        if (c.map.get(ValueLayout.JAVA_LONG, 0) != MAGIC || c.map.get(ValueLayout.JAVA_LONG, NONCE) != nonce) {
            c.close();
            return null;
        }
        return c;
    }

    private static ShmChannel map(Path file, boolean creator) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (fc.size() != FILE_BYTES) {
                throw new IOException(file + " is " + fc.size() + " bytes, expected " + FILE_BYTES);
            }
            return new ShmChannel(arena, fc.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES, arena), creator);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private MemorySegment slot(int ring, int s) {
        return map.asSlice(SLOT_BASE + ((long) ring * SLOTS + s) * SLOT_BYTES, SLOT_BYTES);
    }

    private static long tailAt(int ring) {
        return RINGS + ring * 128L;
    }

    private static long headAt(int ring) {
        return RINGS + ring * 128L + 64;
    }

    // ---- writer side ------------------------------------------------------------------------------------------

    /**
     * Copies {@code n} floats of {@code src} from {@code off} into the next free slot and publishes it; waits
     * (spinning briefly, then parking from 20 µs up to 1 ms) while the reader holds every slot. False if
     * {@code closing} became true while waiting.
     */
    boolean write(float[] src, int off, int n, BooleanSupplier closing) {
        int spins = 0;
        long park = MIN_PARK_NANOS;
        while (published - (long) LONG.getAcquire(map, headAt(outRing)) >= SLOTS) {
            if (closing.getAsBoolean()) {
                return false;
            }
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else { // a slow reader: back off so a long wait does not burn a core
                LockSupport.parkNanos(park);
                park = Math.min(2 * park, MAX_PARK_NANOS);
            }
        }
        if (n > 0) {
            MemorySegment.copy(src, off, slot(outRing, (int) (published % SLOTS)), FLOAT_LE, 0, n);
        }
        published++;
        LONG.setRelease(map, tailAt(outRing), published);
        return true;
    }

    // ---- reader side ------------------------------------------------------------------------------------------

    /** The next slot, announced by a header of {@code bytes}; a protocol error if the peer never published it. */
    ByteBuffer take(int bytes) throws Frame.ProtocolException {
        if ((long) LONG.getAcquire(map, tailAt(1 - outRing)) <= taken) {
            throw new Frame.ProtocolException("shared-memory frame " + taken + " announced but not written");
        }
        ByteBuffer b = inSlots[(int) (taken++ % SLOTS)].duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return b.clear().limit(bytes);
    }

    /** Returns the oldest taken slot to the writer (slots are released in the order they were taken). */
    void release() {
        released++;
        LONG.setRelease(map, headAt(1 - outRing), released);
    }

    /** Unmaps; only once no thread touches the slots any more. */
    void close() {
        try {
            arena.close();
        } catch (IllegalStateException e) {
            // a thread still in an access: the mapping goes with the process
        }
    }
}
