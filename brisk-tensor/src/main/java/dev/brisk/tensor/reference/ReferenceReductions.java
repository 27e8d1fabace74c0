package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.ReduceOp;
import dev.brisk.tensor.backend.ReductionKernels;

/** Scalar reductions; sums accumulate in double. */
final class ReferenceReductions implements ReductionKernels {

    @Override
    public void reduce(ReduceOp op, float[] x, int xOff, int outer, int r, int inner, float[] out, int outOff) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = xOff + o * r * inner + i;
                double acc = op == ReduceOp.SUM ? 0 : x[base];
                for (int j = 0; j < r; j++) {
                    float v = x[base + j * inner];
                    acc = switch (op) {
                        case SUM -> acc + v;
                        case MAX -> Double.isNaN(acc) || Float.isNaN(v) ? Double.NaN : Math.max(acc, v);
                        case MIN -> Double.isNaN(acc) || Float.isNaN(v) ? Double.NaN : Math.min(acc, v);
                    };
                }
                out[outOff + o * inner + i] = (float) acc;
            }
        }
    }

    @Override
    public void argReduce(boolean max, float[] x, int xOff, int outer, int r, int inner, long[] out, int outOff) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = xOff + o * r * inner + i;
                int best = 0;
                float bv = x[base];
                for (int j = 1; j < r && !Float.isNaN(bv); j++) {
                    float v = x[base + j * inner];
                    if (Float.isNaN(v) || (max ? v > bv : v < bv)) {
                        best = j;
                        bv = v;
                    }
                }
                out[outOff + o * inner + i] = best;
            }
        }
    }
}
