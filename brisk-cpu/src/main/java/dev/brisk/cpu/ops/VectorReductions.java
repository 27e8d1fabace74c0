package dev.brisk.cpu.ops;

import dev.brisk.tensor.backend.ReductionKernels;
import dev.brisk.tensor.reference.ReferenceBackend;

/** Placeholder: delegates to the reference kernels until the Vector API version lands. */
public final class VectorReductions implements ReductionKernels {
    private static final ReductionKernels DELEGATE = new ReferenceBackend().reductions().orElseThrow();

    @Override
    public void reduce(dev.brisk.tensor.backend.ReduceOp op, float[] x, int xOff, int outer, int r, int inner,
                       float[] out, int outOff) {
        DELEGATE.reduce(op, x, xOff, outer, r, inner, out, outOff);
    }

    @Override
    public void argReduce(boolean max, float[] x, int xOff, int outer, int r, int inner, long[] out, int outOff) {
        DELEGATE.argReduce(max, x, xOff, outer, r, inner, out, outOff);
    }
}
