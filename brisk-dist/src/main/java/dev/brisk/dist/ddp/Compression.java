package dev.brisk.dist.ddp;

import java.util.Locale;

/**
 * How {@link DistributedDataParallel} compresses a gradient bucket before it crosses the wire.
 *
 * <ul>
 *   <li>{@link Kind#NONE}: the F32 ring all-reduce.</li>
 *   <li>{@link Kind#BF16} / {@link Kind#FP16}: each rank divides its bucket by the world size and rounds it to
 *   16 bits (round to nearest even; past fp16's range ±inf, so a loss scaler sees the overflow), two values packed per
 *   F32 word. The packed buckets are all-gathered and every rank sums them in rank order in F32, so all replicas get
 *   the same bits. Bytes sent per rank: {@code (p−1)·2n}, against {@code 8n(p−1)/p} for the F32 ring: half at
 *   p = 2, ¾ at p = 3, no saving from p = 4 (a ring reducing in 16 bits would keep the half; the process group
 *   reduces F32 only).</li>
 *   <li>{@link Kind#TOPK}: each rank adds its residual (error feedback) to the bucket, sends the
 *   {@code k = ⌈ratio·n⌉} entries of largest magnitude (index and value) and keeps the rest as the new residual,
 *   so nothing is lost, only delayed ({@code Σ sent + residual = Σ gradients}). Indices differ across ranks, so
 *   the pairs are all-gathered ({@code (p−1)·8k} bytes per rank) and summed in rank order.</li>
 * </ul>
 * The per-parameter "has a gradient" flags always travel exactly.
 *
 * @param kind  the scheme
 * @param ratio top-k only: the fraction of each bucket's entries sent per step, in (0, 1]
 */
public record Compression(Kind kind, double ratio) {

    public enum Kind {
        NONE, BF16, FP16, TOPK;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Compression {
        java.util.Objects.requireNonNull(kind, "kind");
        if (kind == Kind.TOPK && !(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("top-k ratio must be in (0, 1], got " + ratio);
        }
    }

    public static Compression none() {
        return new Compression(Kind.NONE, 1);
    }

    public static Compression bf16() {
        return new Compression(Kind.BF16, 1);
    }

    public static Compression fp16() {
        return new Compression(Kind.FP16, 1);
    }

    public static Compression topK(double ratio) {
        return new Compression(Kind.TOPK, ratio);
    }

    /** Entries of an {@code n}-element bucket that top-k sends. */
    int k(int n) {
        return (int) Math.min(n, Math.max(1, Math.ceil(ratio * n)));
    }
}
