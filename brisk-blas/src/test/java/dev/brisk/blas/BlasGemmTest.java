package dev.brisk.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.DTypes;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * cblas_sgemm through FFM against the reference GEMM. Skipped, with the reason printed, when no OpenBLAS is
 * found (the build must pass on machines without it).
 */
class BlasGemmTest {

    private static final GemmKernels REF = new ReferenceBackend().gemm().orElseThrow();
    private static BlasLibrary lib;

    private static String whyUnavailable;

    @BeforeAll
    static void findLibrary() {
        switch (BlasLocator.locate()) {
            case BlasLocator.Result.Found(BlasLibrary found) -> {
                lib = found;
                System.out.println("[BlasGemmTest] " + new BlasBackend().description());
            }
            case BlasLocator.Result.Unavailable(String reason) -> {
                whyUnavailable = reason;
                System.out.println("[BlasGemmTest] skipping every test: " + reason);
            }
        }
    }

    @BeforeEach
    void requireLibrary() {
        Assumptions.assumeTrue(lib != null, () -> "no OpenBLAS: " + whyUnavailable);
    }

    /** One product, laid out with the given offsets and extra stride padding, checked against the reference. */
    private record Case(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int off, int pad) {
        int lda() { return (ta ? m : k) + pad; }
        int ldb() { return (tb ? k : n) + pad; }
        int ldc() { return n + pad; }
        int aLen() { return off + (ta ? k : m) * lda(); }
        int bLen() { return off + (tb ? n : k) * ldb(); }
        int cLen() { return off + m * ldc(); }
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.abs(y[i]);
        }
        return y;
    }

    /**
     * |got − want| ≤ (k + 2)·2⁻²³·(|alpha|·|A|·|B| + |beta|·|C|) elementwise: the fp32 error bound of a
     * length-k dot product, whatever order BLAS sums in. Outside C's (m, n) window nothing may change.
     */
    private static void run(GemmKernels blas, Case t, long seed, boolean bf16) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = random(rnd, t.aLen()), b = random(rnd, t.bLen()), c0 = random(rnd, t.cLen());
        short[] ah = new short[a.length], bh = new short[b.length];
        if (bf16) {
            DTypes.toBf16(a, 0, ah, 0, a.length);
            DTypes.toBf16(b, 0, bh, 0, b.length);
            DTypes.fromBf16(ah, 0, a, 0, a.length); // the reference sees exactly the bf16 values
            DTypes.fromBf16(bh, 0, b, 0, b.length);
        }
        float[] want = c0.clone(), got = c0.clone(), bound = abs(c0);
        if (t.beta() == 0f) {
            Arrays.fill(got, t.off(), got.length, Float.NaN); // beta == 0 must ignore whatever C held
            for (int i = 0; i < t.m(); i++) { // ...but leave the padding untouched
                System.arraycopy(c0, t.off() + i * t.ldc() + t.n(), got, t.off() + i * t.ldc() + t.n(), t.pad());
            }
        }
        REF.sgemm(t.ta(), t.tb(), t.m(), t.n(), t.k(), t.alpha(), a, t.off(), t.lda(), b, t.off(), t.ldb(),
                t.beta(), want, t.off(), t.ldc());
        REF.sgemm(t.ta(), t.tb(), t.m(), t.n(), t.k(), Math.abs(t.alpha()), abs(a), t.off(), t.lda(), abs(b),
                t.off(), t.ldb(), Math.abs(t.beta()), bound, t.off(), t.ldc());
        if (bf16) {
            blas.bf16gemm(t.ta(), t.tb(), t.m(), t.n(), t.k(), t.alpha(), ah, t.off(), t.lda(), bh, t.off(),
                    t.ldb(), t.beta(), got, t.off(), t.ldc());
        } else {
            blas.sgemm(t.ta(), t.tb(), t.m(), t.n(), t.k(), t.alpha(), a, t.off(), t.lda(), b, t.off(), t.ldb(),
                    t.beta(), got, t.off(), t.ldc());
        }
        for (int x = 0; x < got.length; x++) {
            int i = (x - t.off()) / t.ldc(), j = (x - t.off()) % t.ldc();
            boolean inside = x >= t.off() && i < t.m() && j < t.n();
            float tol = inside ? (t.k() + 2) * 0x1p-23f * bound[x] + 1e-30f : 0f;
            if (!(Math.abs(got[x] - want[x]) <= tol)) {
                fail(t + (bf16 ? " bf16" : "") + ": C[" + x + "] (row " + i + ", col " + j + ") = " + got[x]
                        + ", reference " + want[x] + " ± " + tol);
            }
        }
    }

    private static final int[] SIZES = {1, 2, 17, 33, 129};

    @Test
    void allTransposesRaggedSizes() {
        GemmKernels blas = new BlasGemm(lib, true);
        long seed = 1;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        for (int k : new int[]{1, 17, 129}) {
                            run(blas, new Case(ta, tb, m, n, k, 1f, 0f, 0, 0), seed++, false);
                        }
                    }
                }
            }
        }
    }

    @Test
    void offsetsPaddedStridesAlphaBeta() {
        GemmKernels blas = new BlasGemm(lib, true);
        long seed = 100;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                run(blas, new Case(ta, tb, 33, 17, 65, 0.5f, 1f, 7, 3), seed++, false);
                run(blas, new Case(ta, tb, 17, 33, 9, -2f, 0.25f, 1, 16), seed++, false);
                run(blas, new Case(ta, tb, 5, 129, 33, 1f, 0f, 3, 1), seed++, false); // NaN in C, beta 0
                // big enough for OpenBLAS to block and split across its threads
                run(blas, new Case(ta, tb, 300, 200, 150, 1.5f, -1f, 5, 2), seed++, false);
            }
        }
    }

    @Test
    void kZeroScalesCAndEmptyOutputsAreNoOps() {
        GemmKernels blas = new BlasGemm(lib, true);
        for (float beta : new float[]{0f, 1f, -0.5f}) {
            run(blas, new Case(false, false, 4, 5, 0, 1f, beta, 2, 1), 7, false);
            run(blas, new Case(true, true, 4, 5, 0, 1f, beta, 2, 1), 7, true);
        }
        float[] c = {1, 2, 3};
        blas.sgemm(false, false, 0, 3, 4, 1f, new float[0], 0, 4, new float[12], 0, 3, 0f, c, 0, 3);
        blas.sgemm(false, false, 3, 0, 4, 1f, new float[12], 0, 4, new float[0], 0, 0, 0f, c, 0, 0);
        assertEquals("[1.0, 2.0, 3.0]", Arrays.toString(c));
    }

    @Test
    void bf16BothPaths() {
        for (boolean nativeBf16 : new boolean[]{true, false}) {
            BlasGemm blas = new BlasGemm(lib, nativeBf16);
            if (nativeBf16 && !blas.nativeBf16()) {
                System.out.println("[BlasGemmTest] library has no cblas_sbgemm; testing the widening path only");
                continue;
            }
            long seed = 500;
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    run(blas, new Case(ta, tb, 17, 33, 129, 1f, 0f, 0, 0), seed++, true);
                    run(blas, new Case(ta, tb, 33, 1, 17, 0.5f, 2f, 3, 5), seed++, true);
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeTheNativeCall() {
        GemmKernels blas = new BlasGemm(lib, true);
        float[] a = new float[6 * 4], b = new float[4 * 5], c = new float[6 * 5];
        var e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(false, false, 6, 5, 4, 1f, a, 0, 3, b, 0, 5, 0f, c, 0, 5));
        assertTrue(e.getMessage().contains("lda=3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, // lda fine, but the last row runs off the array
                () -> blas.sgemm(false, false, 6, 5, 4, 1f, a, 0, 5, b, 0, 5, 0f, c, 0, 5));
        assertTrue(e.getMessage().contains("a.length is 24"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, // transB: B stored (n, k) = (5, 4) needs ldb >= 4
                () -> blas.sgemm(false, true, 6, 5, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 5));
        assertTrue(e.getMessage().contains("ldb=3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(false, false, 6, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 1, 5));
        assertTrue(e.getMessage().contains("cOff=1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(false, false, 6, 5, 4, 1f, a, -1, 4, b, 0, 5, 0f, c, 0, 5));
        assertTrue(e.getMessage().contains("aOff=-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(false, false, -1, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> blas.bf16gemm(true, false, 6, 5, 4, 1f, new short[24], 0, 4, new short[20], 0, 5, 0f, c, 0, 5));
    }

    @Test
    void followsTheIntraOpThreadCount() {
        GemmKernels blas = new BlasGemm(lib, true);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            run(blas, new Case(false, false, 300, 200, 150, 1f, 0f, 0, 0), 9, false);
            Parallel.setThreads(Math.max(2, before));
            run(blas, new Case(false, false, 300, 200, 150, 1f, 0f, 0, 0), 9, false);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void backendDescribesItself() {
        BlasBackend backend = new BlasBackend();
        assertEquals("blas", backend.name());
        assertTrue(backend.unavailableReason().isEmpty());
        assertTrue(backend.gemm().isPresent());
        assertTrue(backend.description().contains(lib.location()), backend.description());
    }
}
