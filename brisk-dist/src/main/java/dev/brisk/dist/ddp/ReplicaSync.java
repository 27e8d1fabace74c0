package dev.brisk.dist.ddp;

import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collective helpers that keep model replicas identical: checking that every rank has the same parameter and
 * buffer layout, and broadcasting named tensors of any dtype from one rank, coalesced into one flat buffer.
 *
 * <p>The process groups move {@code float[]}; values that a float cannot hold exactly are split into exact 16-bit
 * pieces (an I64 element travels as four floats, an I32 as two), so a broadcast is bit-exact for every dtype.
 */
final class ReplicaSync {

    /** Characters of one rank's description of a mismatching entry, in the error message. */
    private static final int DESCRIPTION_CHARS = 160;

    /** Floats per entry fingerprint: a 48-bit hash in three exact 16-bit pieces. */
    private static final int HASH_FLOATS = 3;

    private ReplicaSync() {
    }

    /** "name: F32[8, 4]" — what must agree across ranks. */
    static String describe(String kind, String name, Tensor t) {
        return kind + " '" + name + "' " + t.dtype() + Shapes.format(t.shape());
    }

    /**
     * Verifies that every rank lists the same entries (same order, names, dtypes and shapes). Collective: every
     * rank calls it. Costs two small all-reduces when all agree; on a mismatch, every rank throws the same kind of
     * {@link IllegalStateException} naming the first differing entry and what each rank has there.
     */
    static void verifySameLayout(ProcessGroup g, List<String> entries) {
        if (g.size() == 1) {
            return;
        }
        // 1. the largest entry count (negated min in the second slot: MAX gives both)
        float[] count = {entries.size(), -entries.size()};
        g.allReduce(count, Reduction.MAX);
        int max = (int) count[0];
        int min = (int) -count[1];
        // 2. per entry: a 48-bit hash; -1 past this rank's end. MAX over [h, -h] yields max and min.
        int n = max * HASH_FLOATS;
        float[] h = new float[2 * n];
        for (int i = 0; i < max; i++) {
            long hash = i < entries.size() ? fnv64(entries.get(i)) : -1;
            for (int k = 0; k < HASH_FLOATS; k++) {
                float v = hash < 0 ? -1f : (float) ((hash >>> (16 * k)) & 0xFFFF);
                h[i * HASH_FLOATS + k] = v;
                h[n + i * HASH_FLOATS + k] = -v;
            }
        }
        g.allReduce(h, Reduction.MAX);
        int first = -1;
        for (int i = 0; i < n && first < 0; i++) {
            if (h[i] != -h[n + i]) {
                first = i / HASH_FLOATS;
            }
        }
        if (first < 0 && max == min) {
            return;
        }
        if (first < 0) {
            first = min; // cannot happen (a missing entry hashes to -1), kept for safety
        }
        // 3. every rank's description of entry `first`, gathered so each rank can name them all
        int p = g.size();
        float[] all = new float[p * DESCRIPTION_CHARS];
        String mine = first < entries.size() ? entries.get(first) : "(nothing: this rank has only "
                + entries.size() + " entries)";
        byte[] utf = mine.getBytes(StandardCharsets.UTF_8);
        int base = g.chunks(all.length).start(g.rank());
        for (int i = 0; i < DESCRIPTION_CHARS; i++) {
            all[base + i] = i < utf.length ? (utf[i] & 0xFF) : 0f;
        }
        g.allGather(all, 0, all.length);
        StringBuilder msg = new StringBuilder("DistributedDataParallel: the model differs across ranks at entry #")
                .append(first).append(" (");
        if (max != min) {
            msg.append("ranks have between ").append(min).append(" and ").append(max).append(" entries; ");
        }
        msg.append("every rank must build the same model):");
        for (int r = 0; r < p; r++) {
            byte[] b = new byte[DESCRIPTION_CHARS];
            int len = 0;
            for (int i = 0; i < DESCRIPTION_CHARS; i++) {
                int c = (int) all[r * DESCRIPTION_CHARS + i];
                if (c == 0) {
                    break;
                }
                b[len++] = (byte) c;
            }
            msg.append("\n  rank ").append(r).append(r == g.rank() ? " (this rank)" : "").append(": ")
                    .append(new String(b, 0, len, StandardCharsets.UTF_8));
        }
        throw new IllegalStateException(msg.toString());
    }

    private static long fnv64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h & 0xFFFF_FFFF_FFFFL; // 48 bits, non-negative
    }

    /** Floats one tensor takes in a coalesced buffer. */
    static int floatsFor(Tensor t) {
        return switch (t.dtype()) {
            case F32, BF16, F16, I8, BOOL -> t.numel();
            case I32 -> 2 * t.numel();
            case I64 -> 4 * t.numel();
        };
    }

    /**
     * Copies every tensor of {@code tensors} from rank {@code root} to all ranks, in place, through one coalesced
     * broadcast. Collective. Returns the number of floats moved.
     */
    static long broadcast(ProcessGroup g, Map<String, Tensor> tensors, int root) {
        if (g.size() == 1 || tensors.isEmpty()) {
            return 0;
        }
        long total = 0;
        for (Tensor t : tensors.values()) {
            total += floatsFor(t);
        }
        if (total > Integer.MAX_VALUE - 8) {
            // one buffer per tensor rather than one for all
            long moved = 0;
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                moved += broadcast(g, Map.of(e.getKey(), e.getValue()), root);
            }
            return moved;
        }
        float[] buf = new float[(int) total];
        List<Tensor> list = new ArrayList<>(tensors.values());
        try (var _ = GradMode.noGrad()) {
            if (g.rank() == root) {
                int off = 0;
                for (Tensor t : list) {
                    off = pack(t, buf, off);
                }
            }
            g.broadcast(buf, 0, buf.length, root);
            if (g.rank() != root) {
                int off = 0;
                for (Tensor t : list) {
                    off = unpack(buf, off, t);
                }
            }
        }
        return total;
    }

    private static int pack(Tensor t, float[] buf, int off) {
        int n = t.numel();
        switch (t.dtype()) {
            case F32, BF16, F16, I8, BOOL -> {
                if (t.dtype() == DType.F32 && t.isContiguous()) {
                    System.arraycopy(t.storage().floats(), t.offset(), buf, off, n);
                } else {
                    System.arraycopy(t.toFloatArray(), 0, buf, off, n);
                }
                return off + n;
            }
            case I32, I64 -> {
                int pieces = t.dtype() == DType.I64 ? 4 : 2;
                long[] v = t.toLongArray();
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < pieces; k++) {
                        buf[off + i * pieces + k] = (float) ((v[i] >>> (16 * k)) & 0xFFFF);
                    }
                }
                return off + n * pieces;
            }
            default -> throw new AssertionError(t.dtype());
        }
    }

    private static int unpack(float[] buf, int off, Tensor t) {
        int n = t.numel();
        switch (t.dtype()) {
            case F32, BF16, F16, I8, BOOL -> {
                if (t.dtype() == DType.F32 && t.isContiguous()) {
                    System.arraycopy(buf, off, t.storage().floats(), t.offset(), n);
                } else {
                    float[] v = new float[n];
                    System.arraycopy(buf, off, v, 0, n);
                    t.copyFrom(Tensor.of(v, n).reshape(t.shape()));
                }
                return off + n;
            }
            case I32, I64 -> {
                int pieces = t.dtype() == DType.I64 ? 4 : 2;
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    long x = 0;
                    for (int k = 0; k < pieces; k++) {
                        x |= ((long) buf[off + i * pieces + k]) << (16 * k);
                    }
                    v[i] = pieces == 2 ? (int) x : x; // an I32 travels as its 32 low bits: restore the sign
                }
                t.copyFrom(Tensor.ofLongs(v, n).reshape(t.shape()));
                return off + n * pieces;
            }
            default -> throw new AssertionError(t.dtype());
        }
    }
}
