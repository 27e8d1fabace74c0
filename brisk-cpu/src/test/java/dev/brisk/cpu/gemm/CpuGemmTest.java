package dev.brisk.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.DTypes;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CpuGemm} against the reference triple loop: every transpose, ragged sizes around the 12 × 32 tile
 * and the 16-lane vector, offsets and padded leading dimensions, alpha/beta (beta = 0 over NaN), batching with
 * broadcast strides, bf16, 1 and 2 threads, and two user threads at once.
 *
 * <p>Tolerance per output: {@code |c - ref| <= 1e-5 · |alpha| · Σ_p |a_ip||b_pj| + 1e-6 · |beta · c_old| + 1e-6}.
 * Elements of C outside the (m, n) window (offset and row padding) must be left untouched.
 */
class CpuGemmTest {

    private static final GemmKernels REF = new ReferenceBackend().gemm().orElseThrow();
    private static final GemmKernels CPU = new CpuGemm();
    private static final int[] SIZES = {1, 2, 15, 16, 17, 31, 33, 127, 129, 255, 257};
    private static final float SENTINEL = -7777f;
    private static int savedThreads;

    @BeforeAll
    static void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** (m, n, k) triples: every size in every position, mixed so one product stays small. */
    private static List<int[]> shapes() {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            out.add(new int[] {SIZES[i], SIZES[(i + 4) % SIZES.length], SIZES[(i + 8) % SIZES.length]});
            out.add(new int[] {SIZES[(i + 6) % SIZES.length], SIZES[i], SIZES[(i + 2) % SIZES.length]});
        }
        out.add(new int[] {257, 255, 129});   // packed, parallel, two k blocks per thread? no: one; all edges
        out.add(new int[] {129, 257, 300});   // two k blocks (KC = 256)
        out.add(new int[] {17, 33, 0});       // k = 0: C = beta · C
        out.add(new int[] {129, 127, 0});
        out.add(new int[] {33, 17, 1});       // k = 1
        out.add(new int[] {255, 129, 1});
        return out;
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void sgemmMatchesReferenceForAllLayoutsAndSizes(int threads) {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(threads);
        float[][] alphaBeta = {{1f, 0f}, {-1.5f, 0.25f}, {0.5f, 1f}};
        int combo = 0;
        for (int[] s : shapes()) {
            for (int layout = 0; layout < 4; layout++) {
                float[] ab = alphaBeta[combo++ % alphaBeta.length];
                checkF32(rnd, layout >= 2, (layout & 1) == 1, s[0], s[1], s[2], ab[0], ab[1], 3, 5);
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNAndAlphaZeroOnlyScales() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (boolean tA : new boolean[] {false, true}) {
            for (boolean tB : new boolean[] {false, true}) {
                checkF32(rnd, tA, tB, 3, 5, 4, 1f, 0f, 0, 0);        // direct path
                checkF32(rnd, tA, tB, 100, 70, 90, 2f, 0f, 1, 2);    // packed path, NaN-filled C
                checkF32(rnd, tA, tB, 100, 70, 90, 0f, 0.5f, 1, 2);  // alpha = 0: C = beta · C
                checkF32(rnd, tA, tB, 100, 70, 0, 1f, 0f, 1, 2);     // k = 0 and beta = 0: zeros
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void bf16MatchesReference(int threads) {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] shapes = {{1, 1, 1}, {17, 33, 15}, {31, 2, 129}, {129, 127, 33}, {255, 257, 17}, {33, 129, 257},
            {12, 32, 300}};
        for (int[] s : shapes) {
            for (int layout = 0; layout < 4; layout++) {
                checkBf16(rnd, layout >= 2, (layout & 1) == 1, s[0], s[1], s[2], 0.75f, layout == 3 ? 0.5f : 0f);
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void mixedBf16AndF32OperandsMatchReferenceOnWidenedValues(int threads) {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(13);
        int[][] shapes = {{1, 1, 1}, {17, 33, 15}, {129, 127, 33}, {255, 257, 17}, {12, 32, 300}, {128, 512, 784}};
        for (int[] s : shapes) {
            for (int layout = 0; layout < 4; layout++) {
                for (boolean bf16A : new boolean[] {true, false}) {
                    checkMixed(rnd, bf16A, layout >= 2, (layout & 1) == 1, s[0], s[1], s[2], 0.75f,
                            layout == 3 ? 0.5f : 0f);
                }
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void batchedMatchesLoopOfReferenceProducts(int threads) {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(3);
        // attention-like: many small products, parallel across the batch; B broadcast (stride 0)
        checkBatched(rnd, 40, false, true, 64, 64, 16, 1f, 0f, true, false, false);
        checkBatched(rnd, 6, true, false, 33, 17, 65, 0.5f, 1f, false, true, false);
        // a few large products: parallel within each
        checkBatched(rnd, 3, false, false, 129, 200, 40, 1f, 0.5f, false, false, false);
        // strideC == 0: products accumulate into one C, in order
        checkBatched(rnd, 5, false, false, 20, 40, 30, 1f, 1f, false, false, true);
        checkBatched(rnd, 5, true, true, 100, 90, 80, 1f, 1f, false, false, true);
    }

    @Test
    void twoUserThreadsAtOnce() throws Exception {
        Parallel.setThreads(2);
        ExecutorService users = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = 100 + t;
                futures.add(users.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    for (int rep = 0; rep < 6; rep++) {
                        int m = 60 + rnd.nextInt(140), n = 60 + rnd.nextInt(140), k = 30 + rnd.nextInt(300);
                        checkF32(rnd, rnd.nextBoolean(), rnd.nextBoolean(), m, n, k, 1f, 0f, 2, 3);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            users.shutdownNow();
        }
    }

    // ---- checks -------------------------------------------------------------------------------------------

    private static void checkF32(SplittableRandom rnd, boolean tA, boolean tB, int m, int n, int k,
                                 float alpha, float beta, int off, int pad) {
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] a = random(rnd, off + aRows * lda), b = random(rnd, off + bRows * ldb);
        float[] c0 = cBuffer(rnd, off, m, n, ldc, beta);
        float[] got = c0.clone(), want = c0.clone();
        CPU.sgemm(tA, tB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, got, off, ldc);
        REF.sgemm(tA, tB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, want, off, ldc);
        float[] bound = new float[c0.length];
        REF.sgemm(tA, tB, m, n, k, Math.abs(alpha), abs(a), off, lda, abs(b), off, ldb, 0f, bound, off, ldc);
        compare(String.format("sgemm %s%s m=%d n=%d k=%d alpha=%s beta=%s", tA ? "T" : "N", tB ? "T" : "N",
                m, n, k, alpha, beta), got, want, bound, c0, beta, off, m, n, ldc);
    }

    private static void checkBf16(SplittableRandom rnd, boolean tA, boolean tB, int m, int n, int k,
                                  float alpha, float beta) {
        int off = 2, pad = 3;
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        short[] a = bf16(random(rnd, off + aRows * lda)), b = bf16(random(rnd, off + bRows * ldb));
        float[] c0 = cBuffer(rnd, off, m, n, ldc, beta);
        float[] got = c0.clone(), want = c0.clone();
        CPU.bf16gemm(tA, tB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, got, off, ldc);
        REF.bf16gemm(tA, tB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, want, off, ldc);
        float[] bound = new float[c0.length];
        REF.sgemm(tA, tB, m, n, k, Math.abs(alpha), abs(widen(a)), off, lda, abs(widen(b)), off, ldb, 0f,
                bound, off, ldc);
        compare(String.format("bf16gemm %s%s m=%d n=%d k=%d", tA ? "T" : "N", tB ? "T" : "N", m, n, k),
                got, want, bound, c0, beta, off, m, n, ldc);
    }

    /** One operand bf16 and the other fp32: the product of the widened values, as an fp32 GEMM computes it. */
    private static void checkMixed(SplittableRandom rnd, boolean bf16A, boolean tA, boolean tB, int m, int n, int k,
                                   float alpha, float beta) {
        int off = 2, pad = 3;
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] af = random(rnd, off + aRows * lda), bf = random(rnd, off + bRows * ldb);
        short[] ah = bf16(af), bh = bf16(bf);
        float[] c0 = cBuffer(rnd, off, m, n, ldc, beta);
        float[] got = c0.clone(), want = c0.clone();
        CPU.mixedGemm(tA, tB, m, n, k, alpha, bf16A ? ah : af, off, lda, bf16A ? bf : bh, off, ldb, beta, got, off,
                ldc);
        float[] aw = bf16A ? widen(ah) : af, bw = bf16A ? bf : widen(bh);
        REF.sgemm(tA, tB, m, n, k, alpha, aw, off, lda, bw, off, ldb, beta, want, off, ldc);
        float[] bound = new float[c0.length];
        REF.sgemm(tA, tB, m, n, k, Math.abs(alpha), abs(aw), off, lda, abs(bw), off, ldb, 0f, bound, off, ldc);
        compare(String.format("mixedGemm %s×%s %s%s m=%d n=%d k=%d", bf16A ? "bf16" : "f32", bf16A ? "f32" : "bf16",
                tA ? "T" : "N", tB ? "T" : "N", m, n, k), got, want, bound, c0, beta, off, m, n, ldc);
    }

    private static void checkBatched(SplittableRandom rnd, int batch, boolean tA, boolean tB, int m, int n, int k,
                                     float alpha, float beta, boolean broadcastB, boolean broadcastA,
                                     boolean sharedC) {
        int off = 1;
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + 1, ldb = bCols + 2, ldc = n + 3;
        long sa = broadcastA ? 0 : (long) aRows * lda + 5, sb = broadcastB ? 0 : (long) bRows * ldb + 7;
        long sc = sharedC ? 0 : (long) m * ldc + 4;
        float[] a = random(rnd, (int) (off + sa * batch + aRows * lda));
        float[] b = random(rnd, (int) (off + sb * batch + bRows * ldb));
        float[] c0 = random(rnd, (int) (off + sc * batch + m * ldc));
        float[] got = c0.clone(), want = c0.clone();
        CPU.sgemmBatched(batch, tA, tB, m, n, k, alpha, a, off, lda, sa, b, off, ldb, sb, beta, got, off, ldc, sc);
        for (int i = 0; i < batch; i++) {
            REF.sgemm(tA, tB, m, n, k, alpha, a, (int) (off + i * sa), lda, b, (int) (off + i * sb), ldb,
                    beta, want, (int) (off + i * sc), ldc);
        }
        String what = String.format("batched %d × %s%s m=%d n=%d k=%d strides %d/%d/%d", batch, tA ? "T" : "N",
                tB ? "T" : "N", m, n, k, sa, sb, sc);
        // accumulated error grows with the batch when C is shared; scale of every term is <= k/4 here
        float tol = 1e-5f * k * (sharedC ? batch : 1) + 1e-5f;
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1f, Math.abs(want[i])))) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + want[i]);
            }
        }
    }

    private static void compare(String what, float[] got, float[] want, float[] bound, float[] c0, float beta,
                                int off, int m, int n, int ldc) {
        for (int idx = 0; idx < got.length; idx++) {
            int rel = idx - off, i = rel / ldc, j = rel % ldc;
            boolean inside = rel >= 0 && i < m && j < n;
            if (!inside) {
                assertEquals(c0[idx], got[idx], what + ": element " + idx + " outside C was written");
                continue;
            }
            float tol = 1e-5f * bound[idx] + 1e-6f * Math.abs(beta == 0f ? 0f : beta * c0[idx]) + 1e-6f;
            if (!(Math.abs(got[idx] - want[idx]) <= tol)) {
                fail(what + ": C[" + i + "][" + j + "] is " + got[idx] + ", reference " + want[idx]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    // ---- data ---------------------------------------------------------------------------------------------

    /** C buffer: sentinels outside the window, NaN inside when beta == 0 (must be ignored), random otherwise. */
    private static float[] cBuffer(SplittableRandom rnd, int off, int m, int n, int ldc, float beta) {
        float[] c = new float[off + m * ldc + 2];
        Arrays.fill(c, SENTINEL);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[off + i * ldc + j] = beta == 0f ? Float.NaN : (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        return c;
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }

    private static short[] bf16(float[] x) {
        short[] h = new short[x.length];
        DTypes.toBf16(x, 0, h, 0, x.length);
        return h;
    }

    private static float[] widen(short[] h) {
        float[] x = new float[h.length];
        DTypes.fromBf16(h, 0, x, 0, h.length);
        return x;
    }
}
