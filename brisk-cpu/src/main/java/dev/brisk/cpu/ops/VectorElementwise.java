package dev.brisk.cpu.ops;

import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.ElementwiseKernels;
import dev.brisk.tensor.backend.UnaryOp;

/**
 * Vector API elementwise kernels: the per-op loops live in {@link UnaryKernels}, {@link BinaryKernels} and
 * {@link CompareKernels}; this class only decides whether a run is worth splitting across the intra-op pool.
 *
 * <p>Parallel policy. A thread hand-off costs a few µs even with spinning workers, so runs stay on the caller
 * below {@link #PARALLEL_MIN} floats for memory-bound ops (≈ 10 µs of work at the copy ceiling) and below
 * {@link #PARALLEL_MIN_HEAVY} for transcendental ones (EXP costs ~0.2 ns per float, TANH ~0.5 ns). Longer
 * runs are cut into fixed chunks of a multiple of the vector length that the pool's participants claim
 * dynamically. Only the parallel path allocates (one lambda per call).
 */
public final class VectorElementwise implements ElementwiseKernels {

    /** Floats from which a memory-bound op is split across threads. */
    static final int PARALLEL_MIN = 1 << 15;
    /** Floats per task for memory-bound ops (64 KiB in, 64 KiB out). */
    static final int CHUNK = 1 << 14;
    /** Floats from which a transcendental op is split across threads. */
    static final int PARALLEL_MIN_HEAVY = 1 << 13;
    /** Floats per task for transcendental ops. */
    static final int CHUNK_HEAVY = 1 << 12;

    @Override
    public void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
        boolean heavy = heavy(op);
        if (n < (heavy ? PARALLEL_MIN_HEAVY : PARALLEL_MIN) || Parallel.threads() == 1) {
            UnaryKernels.run(op, x, xOff, out, outOff, n);
            return;
        }
        int chunk = heavy ? CHUNK_HEAVY : CHUNK;
        Parallel.forEach(tasks(n, chunk), t -> {
            int s = t * chunk;
            UnaryKernels.run(op, x, xOff + s, out, outOff + s, Math.min(chunk, n - s));
        });
    }

    @Override
    public void unaryGrad(UnaryOp op, float[] x, int xOff, float[] g, int gOff, float[] out, int outOff, int n) {
        boolean heavy = heavy(op);
        if (n < (heavy ? PARALLEL_MIN_HEAVY : PARALLEL_MIN) || Parallel.threads() == 1) {
            UnaryGradKernels.run(op, x, xOff, g, gOff, out, outOff, n);
            return;
        }
        int chunk = heavy ? CHUNK_HEAVY : CHUNK;
        Parallel.forEach(tasks(n, chunk), t -> {
            int s = t * chunk;
            UnaryGradKernels.run(op, x, xOff + s, g, gOff + s, out, outOff + s, Math.min(chunk, n - s));
        });
    }

    @Override
    public void binary(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       float[] out, int outOff, int n) {
        boolean heavy = op == BinaryOp.POW;
        if (n < (heavy ? PARALLEL_MIN_HEAVY : PARALLEL_MIN) || Parallel.threads() == 1) {
            BinaryKernels.run(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        int chunk = heavy ? CHUNK_HEAVY : CHUNK;
        Parallel.forEach(tasks(n, chunk), t -> {
            int s = t * chunk;
            BinaryKernels.run(op, a, aOff + s * aStride, aStride, b, bOff + s * bStride, bStride,
                    out, outOff + s, Math.min(chunk, n - s));
        });
    }

    @Override
    public void compare(CompareOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                        boolean[] out, int outOff, int n) {
        if (n < PARALLEL_MIN || Parallel.threads() == 1) {
            CompareKernels.run(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        Parallel.forEach(tasks(n, CHUNK), t -> {
            int s = t * CHUNK;
            CompareKernels.run(op, a, aOff + s * aStride, aStride, b, bOff + s * bStride, bStride,
                    out, outOff + s, Math.min(CHUNK, n - s));
        });
    }

    private static boolean heavy(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, GELU_ERF, GELU_TANH, SILU -> true;
            case NEG, ABS, SQRT, RSQRT, RECIPROCAL, SQUARE, RELU -> false;
        };
    }

    private static int tasks(int n, int chunk) {
        return (n + chunk - 1) / chunk;
    }

    @Override
    public void toBf16(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        Bf16Conversions.toBf16(src, srcOff, dst, dstOff, n);
    }

    @Override
    public void fromBf16(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        Bf16Conversions.fromBf16(src, srcOff, dst, dstOff, n);
    }
}
