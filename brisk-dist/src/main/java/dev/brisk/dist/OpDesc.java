package dev.brisk.dist;

import java.util.Objects;

/**
 * What one operation is, as every rank must agree on it: kind, sequence number, element count, reduction (for
 * all-reduce and reduce-scatter) and root or peer. It travels in the header of every TCP frame and is compared
 * field by field in the thread group, so a mismatch fails with a message like
 * {@code "rank 1 sent broadcast #4 (f32×10 root 0) but rank 0 expected allreduce #4 (f32×10 sum)"}.
 */
record OpDesc(Kind kind, long seq, int count, Reduction op, int root) {

    /** Operation kinds with their wire codes. */
    enum Kind {
        ALLREDUCE(1, "allreduce"),
        REDUCE_SCATTER(2, "reducescatter"),
        ALLGATHER(3, "allgather"),
        BROADCAST(4, "broadcast"),
        BARRIER(5, "barrier"),
        SEND(6, "send");

        final int code;
        final String label;

        Kind(int code, String label) {
            this.code = code;
            this.label = label;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    OpDesc {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(op);
    }

    static OpDesc reduce(Kind kind, long seq, int count, Reduction op) {
        return new OpDesc(kind, seq, count, op, -1);
    }

    static OpDesc plain(Kind kind, long seq, int count, int root) {
        return new OpDesc(kind, seq, count, Reduction.SUM, root);
    }

    @Override
    public String toString() {
        String detail = switch (kind) {
            case ALLREDUCE, REDUCE_SCATTER -> "f32×" + count + " " + op.label();
            case BROADCAST -> "f32×" + count + " root " + root;
            case SEND -> "f32×" + count;
            case ALLGATHER -> "f32×" + count;
            case BARRIER -> "";
        };
        return kind.label + " #" + seq + (detail.isEmpty() ? "" : " (" + detail + ")");
    }

    static void checkRange(float[] buf, int off, int n) {
        Objects.requireNonNull(buf, "buffer");
        Objects.checkFromIndexSize(off, n, buf.length);
    }

    static void checkRank(String what, int r, int size) {
        if (r < 0 || r >= size) {
            throw new IllegalArgumentException(what + " must be in [0, " + size + "), got " + r);
        }
    }
}
