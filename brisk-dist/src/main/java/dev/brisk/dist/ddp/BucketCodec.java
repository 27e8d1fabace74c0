package dev.brisk.dist.ddp;

import dev.brisk.dist.ddp.Compression.Kind;
import java.util.Arrays;

/**
 * One bucket's {@link Compression}: {@link #encode} writes this rank's payload ({@link #payload} floats) into its
 * slot of {@link #wire}, the wire buffer is all-gathered, and {@link #decode} sums every rank's payload, in rank
 * order, back into the bucket (the average over ranks, as the F32 all-reduce leaves it). The bucket is {@code n}
 * gradient elements followed by {@code m} flags; the flags are always sent exactly.
 */
final class BucketCodec {

    private final Compression compression;
    private final int n;
    private final int m;
    private final int ranks;
    private final int k;          // top-k: entries sent
    private final float[] residual; // top-k: what was not sent yet (error feedback)
    private final float[] scratch;  // top-k: magnitudes for the selection
    final int payload;
    final float[] wire;

    BucketCodec(Compression compression, int n, int m, int ranks) {
        if (compression.kind() == Kind.NONE) {
            throw new IllegalArgumentException("no codec for uncompressed buckets");
        }
        this.compression = compression;
        this.n = n;
        this.m = m;
        this.ranks = ranks;
        boolean topK = compression.kind() == Kind.TOPK;
        if (topK && n > 1 << 24) {
            throw new IllegalArgumentException("top-k compression sends indices as F32 integers, exact up to 2^24; "
                    + "a bucket of " + n + " elements is too large (lower the bucket cap)");
        }
        this.k = topK ? compression.k(n) : 0;
        this.residual = topK ? new float[n] : null;
        this.scratch = topK ? new float[n] : null;
        this.payload = (topK ? 2 * k : (n + 1) / 2) + m;
        long wireLength = (long) payload * ranks;
        if (wireLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("compressed bucket of " + n + " elements × " + ranks + " ranks does not "
                    + "fit one buffer; lower the bucket cap");
        }
        this.wire = new float[(int) wireLength];
    }

    /** The top-k residual (entries accumulated but not sent yet); null for the 16-bit casts. */
    float[] residual() {
        return residual;
    }

    /** Writes this rank's payload for {@code flat} (the bucket: gradients, then flags) into its wire slot. */
    void encode(float[] flat, int rank) {
        int at = rank * payload;
        switch (compression.kind()) {
            case BF16, FP16 -> {
                boolean bf = compression.kind() == Kind.BF16;
                float inv = 1f / ranks; // pre-divide, as PyTorch's fp16 hook: the sum cannot overflow
                for (int i = 0, w = at; i < n; i += 2, w++) {
                    int lo = half(flat[i] * inv, bf);
                    int hi = i + 1 < n ? half(flat[i + 1] * inv, bf) : 0;
                    wire[w] = Float.intBitsToFloat(lo | hi << 16);
                }
                System.arraycopy(flat, n, wire, at + (n + 1) / 2, m);
            }
            case TOPK -> encodeTopK(flat, at);
            default -> throw new IllegalStateException(compression.toString());
        }
    }

    /** Sums every rank's payload, in rank order, into {@code flat}: the average gradient and flags. */
    void decode(float[] flat) {
        Arrays.fill(flat, 0, n + m, 0f);
        boolean topK = compression.kind() == Kind.TOPK;
        boolean bf = compression.kind() == Kind.BF16;
        for (int r = 0; r < ranks; r++) {
            int at = r * payload;
            if (topK) {
                for (int j = 0; j < k; j++) {
                    flat[(int) wire[at + j]] += wire[at + k + j];
                }
            } else {
                for (int i = 0, w = at; i < n; i += 2, w++) {
                    int bits = Float.floatToRawIntBits(wire[w]);
                    flat[i] += full(bits & 0xFFFF, bf);
                    if (i + 1 < n) {
                        flat[i + 1] += full(bits >>> 16, bf);
                    }
                }
            }
            int flags = at + payload - m;
            for (int j = 0; j < m; j++) {
                flat[n + j] += wire[flags + j];
            }
        }
        float inv = 1f / ranks;
        if (topK) {
            for (int i = 0; i < n; i++) {
                flat[i] *= inv;
            }
        }
        for (int j = 0; j < m; j++) {
            flat[n + j] *= inv;
        }
    }

    /**
     * Error feedback: {@code acc = gradient + residual}; the k largest |acc| are sent (index, value), the others
     * stay in the residual, so {@code sent + residual = acc} exactly.
     */
    private void encodeTopK(float[] flat, int at) {
        for (int i = 0; i < n; i++) {
            residual[i] += flat[i];
            scratch[i] = Math.abs(residual[i]);
        }
        float threshold = select(scratch, n - k); // the k-th largest magnitude
        int sent = 0;
        for (int i = 0; i < n && sent < k; i++) { // strictly larger first, then ties, in index order
            if (Math.abs(residual[i]) > threshold) {
                sent = take(i, at, sent);
            }
        }
        for (int i = 0; i < n && sent < k; i++) {
            if (Math.abs(residual[i]) == threshold) {
                sent = take(i, at, sent);
            }
        }
        for (int i = 0; i < n && sent < k; i++) { // NaN sorts above every magnitude: send it (it is not finite)
            if (residual[i] != residual[i]) {
                sent = take(i, at, sent);
            }
        }
        System.arraycopy(flat, n, wire, at + 2 * k, m);
    }

    private int take(int i, int at, int sent) {
        wire[at + sent] = i;
        wire[at + k + sent] = residual[i];
        residual[i] = 0f;
        return sent + 1;
    }

    /** The element of rank {@code index} (ascending) of {@code a[0, n)}; reorders {@code a}. NaN sorts last. */
    static float select(float[] a, int index) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Float.compare(a[i], pivot) < 0) {
                    i++;
                }
                while (Float.compare(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (index <= j) {
                hi = j;
            } else if (index >= i) {
                lo = i;
            } else {
                return a[index];
            }
        }
        return a[index];
    }

    /**
     * F32 to bf16 or fp16 (round to nearest even), as the low 16 bits. Out of fp16's range the value becomes
     * ±inf, as PyTorch's fp16 compression hook does: clamping to ±65504 would hide an overflow from the fp16
     * loss scaler (it would never skip the step) and silently clip large gradients.
     */
    static int half(float x, boolean bf16) {
        if (bf16) {
            int bits = Float.floatToRawIntBits(x);
            if (x != x) {
                return 0x7FC0;
            }
            return (bits + 0x7FFF + (bits >>> 16 & 1)) >>> 16;
        }
        return Float.floatToFloat16(x) & 0xFFFF;
    }

    /** The inverse of {@link #half}. */
    static float full(int h, boolean bf16) {
        return bf16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat((short) h);
    }
}
