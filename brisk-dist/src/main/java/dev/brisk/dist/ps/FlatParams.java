package dev.brisk.dist.ps;

import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;

/**
 * A module's parameters as one flat {@code float[]} in {@link Module#parameters()} order — the vector a parameter
 * server shards and Hogwild threads share.
 */
public final class FlatParams {

    private FlatParams() {
    }

    public static int size(Module m) {
        long n = 0;
        for (Tensor p : m.parameters()) {
            n += p.numel();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model has " + n + " parameters, more than one float[] holds");
        }
        return (int) n;
    }

    /** The parameters' values, concatenated. */
    public static float[] values(Module m) {
        float[] out = new float[size(m)];
        int at = 0;
        for (Tensor p : m.parameters()) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** Overwrites the parameters' values with {@code flat} (the parameters must be contiguous F32). */
    public static void load(float[] flat, Module m) {
        int at = 0;
        for (Tensor p : m.parameters()) {
            int n = p.numel();
            System.arraycopy(flat, at, storage(p), p.offset(), n);
            at += n;
        }
        check(flat, at);
    }

    /** The parameters' gradients, concatenated (zeros where a parameter has none) into {@code out}. */
    public static void gradients(Module m, float[] out) {
        int at = 0;
        for (Tensor p : m.parameters()) {
            int n = p.numel();
            Tensor g = p.grad();
            if (g == null) {
                java.util.Arrays.fill(out, at, at + n, 0f);
            } else {
                System.arraycopy(g.toFloatArray(), 0, out, at, n);
            }
            at += n;
        }
        check(out, at);
    }

    private static float[] storage(Tensor p) {
        if (!p.isContiguous() || p.dtype() != dev.brisk.tensor.DType.F32) {
            throw new IllegalArgumentException("flat parameters need contiguous F32 parameters, got " + p.dtype());
        }
        return p.storage().floats();
    }

    private static void check(float[] flat, int n) {
        if (flat.length != n) {
            throw new IllegalArgumentException("flat vector has " + flat.length + " floats, the model " + n);
        }
    }
}
