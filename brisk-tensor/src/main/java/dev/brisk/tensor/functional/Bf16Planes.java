package dev.brisk.tensor.functional;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.ElementwiseKernels;

/**
 * Runs an F32 per-plane kernel (pooling) on a BF16 input and output without full-size F32 copies: blocks of whole
 * planes are widened into a per-thread workspace, computed, and the block's output rounded straight into the BF16
 * result. Blocks are spread over the intra-op pool (the kernel then runs serially inside each).
 */
final class Bf16Planes {

    /** Input elements per block: a few hundred KB of F32, well inside L2. */
    private static final int BLOCK_ELEMENTS = 1 << 15;
    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private Bf16Planes() {
    }

    @FunctionalInterface
    interface PlaneKernel {
        /** {@code n} planes from {@code x[xOff]} into {@code out[outOff]}; {@code first} is the first plane's index. */
        void apply(float[] x, int xOff, int n, float[] out, int outOff, int first);
    }

    /** x: contiguous-able BF16 of {@code planes × inPlane}; out: a fresh contiguous BF16 of {@code planes × outPlane}. */
    static void forward(Tensor x, Tensor out, int planes, int inPlane, int outPlane, PlaneKernel kernel) {
        Tensor xc = x.contiguous();
        short[] xs = xc.storage().shorts();
        int xBase = xc.offset();
        short[] os = out.storage().shorts();
        int per = Math.max(1, BLOCK_ELEMENTS / Math.max(1, inPlane));
        int blocks = (planes + per - 1) / per;
        ElementwiseKernels k = Kernels.get().elementwise();
        Parallel.forEach(blocks, b -> {
            int p0 = b * per;
            int n = Math.min(per, planes - p0);
            float[][] buf = BUFFERS.get();
            if (buf[0].length < n * inPlane) {
                buf[0] = new float[n * inPlane];
            }
            if (buf[1].length < n * outPlane) {
                buf[1] = new float[n * outPlane];
            }
            k.fromBf16(xs, xBase + p0 * inPlane, buf[0], 0, n * inPlane);
            kernel.apply(buf[0], 0, n, buf[1], 0, p0);
            k.toBf16(buf[1], 0, os, p0 * outPlane, n * outPlane);
        });
    }
}
