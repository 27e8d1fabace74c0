package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.MR;
import static dev.brisk.cpu.gemm.MicroKernel.NR;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.GemmKernels;

/**
 * SGEMM, bf16 and mixed fp32/bf16 GEMM in pure Java on the Vector API: packed panels, a 12 × 2-vector FMA micro-kernel, and
 * the output split across the intra-op pool.
 *
 * <p>Dispatch. {@code m·n·k <= DIRECT_MAX} runs unpacked on the caller ({@link DirectGemm}): below that,
 * packing costs as much as the arithmetic. Larger products use the blocked driver ({@link PackedGemm}); from
 * {@code PARALLEL_MIN} multiply-adds on, C is cut into one rectangle per thread (a grid of {@code tm × tn}
 * chosen by {@link Split}'s cost model) and each thread packs and computes its own rectangle. Batched calls of
 * small matrices are spread across the batch instead. {@code alpha == 0} or {@code k == 0} only scales C
 * (A and B are not read, as in BLAS).
 */
public final class CpuGemm implements GemmKernels {

    /** Products up to this many multiply-adds skip packing (about 48³). */
    static final long DIRECT_MAX = 110_000L;
    /** Products from this many multiply-adds on use the whole pool (a few microseconds of work per thread). */
    static final long PARALLEL_MIN = 1L << 19;

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, Parallel.threads());
    }

    @Override
    public void bf16gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         short[] a, int aOff, int lda, short[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, Parallel.threads());
    }

    @Override
    public void mixedGemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                          Object a, int aOff, int lda, Object b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, Parallel.threads());
    }

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, long strideA, float[] b, int bOff, int ldb, long strideB,
                             float beta, float[] c, int cOff, int ldc, long strideC) {
        mixedGemmBatched(batch, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                beta, c, cOff, ldc, strideC);
    }

    @Override
    public void mixedGemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 Object a, int aOff, int lda, long strideA, Object b, int bOff, int ldb,
                                 long strideB, float beta, float[] c, int cOff, int ldc, long strideC) {
        if (batch <= 0) {
            return;
        }
        long work = (long) m * n * k;
        int threads = Parallel.threads();
        // Across the batch when matrices are small and their C blocks are disjoint (strideC == 0 accumulates
        // into one C in order, so it stays sequential).
        boolean disjointC = Math.abs(strideC) >= (long) (m - 1) * ldc + n;
        if (threads == 1 || batch == 1 || !disjointC || work * batch < PARALLEL_MIN
                || work >= PARALLEL_MIN * 4 && batch < 2 * threads) {
            for (int i = 0; i < batch; i++) {
                gemm(transA, transB, m, n, k, alpha, a, Math.toIntExact(aOff + i * strideA), lda,
                        b, Math.toIntExact(bOff + i * strideB), ldb, beta, c, Math.toIntExact(cOff + i * strideC), ldc,
                        threads);
            }
            return;
        }
        int tasks = Math.min(batch, 4 * threads);
        Parallel.forEach(tasks, t -> {
            int lo = (int) ((long) batch * t / tasks), hi = (int) ((long) batch * (t + 1) / tasks);
            for (int i = lo; i < hi; i++) {
                gemm(transA, transB, m, n, k, alpha, a, Math.toIntExact(aOff + i * strideA), lda,
                        b, Math.toIntExact(bOff + i * strideB), ldb, beta, c, Math.toIntExact(cOff + i * strideC), ldc, 1);
            }
        });
    }

    /** One product whose operands are each float[] or short[] (bf16); see {@link Operands}. */
    private static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             Object a, int aOff, int lda, Object b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, int threads) {
        checkShape(m, n, k);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            PackedGemm.scale(beta, c, cOff, ldc, m, n);
            return;
        }
        Operands ops = new Operands(transA, transB, alpha, a, aOff, lda, b, bOff, ldb);
        if ((long) m * n * k <= DIRECT_MAX) {
            DirectGemm.gemm(ops, m, n, k, beta, c, cOff, ldc, Scratch.get());
            return;
        }
        packed(ops, m, n, k, beta, c, cOff, ldc, threads);
    }

    private static void packed(Operands ops, int m, int n, int k, float beta, float[] c, int cOff, int ldc,
                               int threads) {
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN) {
            PackedGemm.region(ops, 0, m, 0, n, k, beta, c, cOff, ldc, Scratch.get());
            return;
        }
        Split split = Split.choose(m, n, k, threads, ops);
        Parallel.forEach(split.tasks(), t -> {
            int ti = t / split.cols(), tj = t % split.cols();
            PackedGemm.region(ops, split.rowStart(ti, m), split.rowStart(ti + 1, m),
                    split.colStart(tj, n), split.colStart(tj + 1, n), k, beta, c, cOff, ldc, Scratch.get());
        });
    }

    private static void checkShape(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes must be non-negative, got m=" + m + " n=" + n + " k=" + k);
        }
    }

    /**
     * A {@code rows × cols} grid of C rectangles, one per thread, cut on micro-tile boundaries.
     *
     * <p>Cost of one rectangle (mb, nb), in cycles: the FMAs at two 16-lane FMAs per cycle on the padded tile
     * grid, plus packing its A rows (once per NC columns) and its B columns. Gathered (strided) packing costs
     * several times a contiguous copy, so NN prefers splitting columns less than NT does. The grid with the
     * smallest maximum rectangle cost wins.
     */
    record Split(int rows, int cols, int rowUnits, int colUnits) {

        static final double GATHER = 0.6;   // cycles per element, strided pack
        static final double COPY = 0.15;    // cycles per element, contiguous pack

        static Split choose(int m, int n, int k, int threads, Operands ops) {
            boolean aStrided = !ops.transA();
            boolean bStrided = ops.transB();
            int mu = (m + MR - 1) / MR, nu = (n + NR - 1) / NR;
            Split best = new Split(1, 1, mu, nu);
            double bestCost = Double.MAX_VALUE;
            for (int tm = 1; tm <= threads; tm++) {
                int tn = threads / tm;
                if (tm * tn != threads || tm > mu || tn > nu) {
                    continue;
                }
                double mb = (double) (mu + tm - 1) / tm * MR, nb = (double) (nu + tn - 1) / tn * NR;
                double cost = mb * nb * k / (2.0 * NR)
                        + mb * k * (aStrided ? GATHER : COPY) * Math.ceil(nb / PackedGemm.NC)
                        + nb * k * (bStrided ? GATHER : COPY);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = new Split(tm, tn, mu, nu);
                }
            }
            return best;
        }

        int tasks() {
            return rows * cols;
        }

        /** First row of grid row {@code t} (t == rows gives m). */
        int rowStart(int t, int m) {
            return Math.min(m, (int) ((long) rowUnits * t / rows) * MR);
        }

        int colStart(int t, int n) {
            return Math.min(n, (int) ((long) colUnits * t / cols) * NR);
        }
    }
}
