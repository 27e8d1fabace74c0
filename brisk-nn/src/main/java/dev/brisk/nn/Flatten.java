package dev.brisk.nn;

import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;

/**
 * Merges dims {@code startDim..endDim} (inclusive; negative counts from the end) into one. The default
 * {@code (1, -1)} turns {@code (N, C, H, W)} into {@code (N, C·H·W)}.
 */
public final class Flatten extends Module {

    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        if (startDim >= 0 && endDim >= 0 && startDim > endDim) {
            throw new IllegalArgumentException("Flatten: startDim " + startDim + " is after endDim " + endDim);
        }
        this.startDim = startDim;
        this.endDim = endDim;
        describe("start_dim=" + startDim + ", end_dim=" + endDim);
    }

    @Override
    public Tensor forward(Tensor x) {
        int rank = Math.max(x.dim(), 1);
        int a = startDim < 0 ? startDim + rank : startDim;
        int b = endDim < 0 ? endDim + rank : endDim;
        if (a < 0 || a >= rank || b < 0 || b >= rank || a > b) {
            throw new IllegalArgumentException("Flatten: dims " + startDim + ".." + endDim
                    + " do not fit input of shape " + Shapes.format(x.shape()));
        }
        return x.flatten(a, b);
    }
}
