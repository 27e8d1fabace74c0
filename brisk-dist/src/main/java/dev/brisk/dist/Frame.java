package dev.brisk.dist;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The header of every message between two ranks of a {@link TcpGroup} (28 bytes, little-endian), followed by
 * {@code bytes} of payload (f32 values):
 * <pre>
 * kind u8 (1 DATA, 2 BYE, 3 SHM) | op u8 | dtype u8 (1 = f32) | reduction u8 | root i32 | seq i64 | count i32 |
 * part i32 | bytes i32
 * </pre>
 * An SHM frame is a DATA frame whose payload is in the pair's shared-memory ring ({@link ShmChannel}), not on the
 * stream. {@code op, reduction, root, seq, count} are the operation's {@link OpDesc} (for a SEND, {@code seq} counts the
 * messages of that pair); {@code part} numbers the frames of one operation from one sender. Every frame is
 * checked against what the receiver expects, so mismatched collectives fail precisely, and a malformed header
 * or a payload over {@link #MAX_PAYLOAD} is rejected before any buffer is touched.
 */
record Frame(int kind, OpDesc desc, int part, int bytes) {

    static final int HEADER = 28;
    /** Largest payload a peer may announce (Gloo's maximum segment); larger frames are rejected unread. */
    static final int MAX_PAYLOAD = 1 << 20;
    static final int DATA = 1;
    static final int BYE = 2;
    static final int SHM = 3;
    private static final int F32 = 1;

    /** A frame the peer sent that no Brisk rank would send. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    static Frame bye() {
        return new Frame(BYE, OpDesc.plain(OpDesc.Kind.BARRIER, 0, 0, -1), 0, 0);
    }

    void encode(ByteBuffer b) {
        b.put((byte) kind).put((byte) desc.kind().code).put((byte) F32).put((byte) desc.op().ordinal());
        b.putInt(desc.root()).putLong(desc.seq()).putInt(desc.count()).putInt(part).putInt(bytes);
    }

    /** Decodes and validates {@code b} (positioned at the header). */
    static Frame decode(ByteBuffer b) throws ProtocolException {
        int kind = b.get() & 0xff;
        int op = b.get() & 0xff;
        int dtype = b.get() & 0xff;
        int red = b.get() & 0xff;
        int root = b.getInt();
        long seq = b.getLong();
        int count = b.getInt();
        int part = b.getInt();
        int bytes = b.getInt();
        OpDesc.Kind k = OpDesc.Kind.ofCode(op);
        if (kind != DATA && kind != BYE && kind != SHM) {
            throw new ProtocolException("unknown frame kind " + kind);
        }
        if (k == null) {
            throw new ProtocolException("unknown operation code " + op);
        }
        if (dtype != F32) {
            throw new ProtocolException("unsupported dtype code " + dtype + " (only f32 = 1)");
        }
        if (red >= Reduction.values().length) {
            throw new ProtocolException("unknown reduction code " + red);
        }
        if (bytes < 0 || bytes > MAX_PAYLOAD || bytes % Float.BYTES != 0) {
            throw new ProtocolException("payload of " + bytes + " bytes is not a multiple of 4 in [0, "
                    + MAX_PAYLOAD + "]");
        }
        if (count < 0 || part < 0 || seq < 0) {
            throw new ProtocolException("negative count, part or sequence number (" + count + ", " + part + ", "
                    + seq + ")");
        }
        return new Frame(kind, new OpDesc(k, seq, count, Reduction.values()[red], root), part, bytes);
    }
}
