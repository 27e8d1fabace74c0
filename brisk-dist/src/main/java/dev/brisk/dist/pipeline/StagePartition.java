package dev.brisk.dist.pipeline;

import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a sequence of layers is cut into pipeline stages: {@code starts[s]} is the index of stage s's first layer
 * ({@code starts[0] == 0}, strictly increasing, every stage non-empty).
 */
public record StagePartition(int layers, int[] starts) {

    public StagePartition {
        if (starts.length < 1 || starts.length > layers) {
            throw new IllegalArgumentException("cannot split " + layers + " layers into " + starts.length
                    + " non-empty stages");
        }
        starts = starts.clone();
        if (starts[0] != 0) {
            throw new IllegalArgumentException("stage 0 must start at layer 0, got " + starts[0]);
        }
        for (int s = 1; s < starts.length; s++) {
            if (starts[s] <= starts[s - 1] || starts[s] >= layers) {
                throw new IllegalArgumentException("stage starts must increase within [0, " + layers + "), got "
                        + Arrays.toString(starts));
            }
        }
    }

    public int stages() {
        return starts.length;
    }

    public int start(int stage) {
        return starts[stage];
    }

    public int end(int stage) {
        return stage + 1 < starts.length ? starts[stage + 1] : layers;
    }

    /** Stages of as equal a layer count as possible (the first {@code layers mod p} get one more). */
    public static StagePartition uniform(int layers, int stages) {
        if (stages < 1 || stages > layers) {
            throw new IllegalArgumentException("cannot split " + layers + " layers into " + stages + " stages");
        }
        int[] starts = new int[stages];
        int base = layers / stages;
        int extra = layers % stages;
        for (int s = 1; s < stages; s++) {
            starts[s] = starts[s - 1] + base + (s - 1 < extra ? 1 : 0);
        }
        return new StagePartition(layers, starts);
    }

    /**
     * The contiguous split into {@code stages} non-empty stages that minimises the largest stage cost (the
     * pipeline runs at the pace of its slowest stage); ties go to the earliest cut. Exact, by dynamic programming
     * over prefix sums in O(n²·p).
     */
    public static StagePartition balanced(double[] costs, int stages) {
        int n = costs.length;
        if (stages < 1 || stages > n) {
            throw new IllegalArgumentException("cannot split " + n + " layers into " + stages + " stages");
        }
        for (int i = 0; i < n; i++) {
            if (!(costs[i] >= 0) || Double.isInfinite(costs[i])) {
                throw new IllegalArgumentException("layer " + i + " has cost " + costs[i] + "; costs must be finite"
                        + " and >= 0");
            }
        }
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + costs[i];
        }
        // best[k][i]: the least possible max stage cost of the first i layers in k stages; cut[k][i]: start of the
        // k-th stage in that optimum
        double[][] best = new double[stages + 1][n + 1];
        int[][] cut = new int[stages + 1][n + 1];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int k = 1; k <= stages; k++) {
            for (int i = k; i <= n - (stages - k); i++) {
                for (int j = k - 1; j < i; j++) {
                    double v = Math.max(best[k - 1][j], prefix[i] - prefix[j]);
                    if (v < best[k][i]) {
                        best[k][i] = v;
                        cut[k][i] = j;
                    }
                }
            }
        }
        int[] starts = new int[stages];
        int i = n;
        for (int k = stages; k >= 1; k--) {
            starts[k - 1] = cut[k][i];
            i = cut[k][i];
        }
        return new StagePartition(n, starts);
    }

    /** The layers of stage {@code stage} of {@code model}, as their own Sequential (the modules are shared). */
    public Sequential stage(Sequential model, int stage) {
        if (model.size() != layers) {
            throw new IllegalArgumentException("partition is for " + layers + " layers, model has " + model.size());
        }
        return new Sequential(new ArrayList<>(model.layers().subList(start(stage), end(stage))));
    }

    /**
     * Measured forward+backward seconds of each layer of {@code model} on {@code sample}, for {@link #balanced}:
     * the median of {@code repeats} runs, after one pass of the whole model and one run of the layer as warm-up.
     * Each layer's input is the previous layer's output, detached (and requiring grad when floating-point: token
     * ids are not), so the backward of one layer is timed alone. Gradients it leaves on the parameters are cleared.
     * Timings on a loaded machine are noisy, and so is a split balanced on them.
     */
    public static double[] measureCosts(Sequential model, Tensor sample, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        List<Module> layers = model.layers();
        double[] costs = new double[layers.size()];
        // one pass of the whole model first, so that JIT compilation of shared kernels is not charged to
        // whichever layer happens to run them first
        Tensor warm = model.forward(sample);
        warm.backward(Tensor.full(1f, warm.shape()));
        model.zeroGrad();
        Tensor x = sample;
        for (int l = 0; l < layers.size(); l++) {
            Module layer = layers.get(l);
            Tensor in = x.detach().contiguous();
            if (in.dtype().isFloatingPoint()) {
                in.requiresGrad(true);
            }
            double[] runs = new double[repeats];
            Tensor out = null;
            for (int r = -1; r < repeats; r++) {
                long t0 = System.nanoTime();
                out = layer.forward(in);
                out.backward(Tensor.full(1f, out.shape()));
                long t1 = System.nanoTime();
                if (r >= 0) {
                    runs[r] = (t1 - t0) / 1e9;
                }
            }
            Arrays.sort(runs);
            costs[l] = runs[repeats / 2];
            layer.zeroGrad();
            x = out.detach();
        }
        return costs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StagePartition p && p.layers == layers && Arrays.equals(p.starts, starts);
    }

    @Override
    public int hashCode() {
        return 31 * layers + Arrays.hashCode(starts);
    }

    @Override
    public String toString() {
        return "StagePartition" + Arrays.toString(starts) + " of " + layers;
    }

    @Override
    public int[] starts() {
        return starts.clone();
    }
}
