package dev.brisk.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Checks autograd against central finite differences.
 *
 * <p>The function's output is projected onto a fixed random direction R, {@code L = Σ f(x)·R} summed in double,
 * so one backward (with gradient R) gives the whole analytic gradient of L. Each input element is then nudged by
 * ±eps and {@code (L(x+eps) − L(x−eps)) / 2eps} compared with it: {@code |num − ana| ≤ atol + rtol·|num|}.
 * Ops compute in F32, so eps around 1e-2..1e-3 and tolerances around 1e-2 are the honest choice; kinks (relu at
 * 0, max ties) must be kept away from the sample points by the caller.
 */
public final class GradCheck {

    /** The worst element found: which input, which flat element, and both gradients. */
    public record Result(boolean passed, int input, int element, double numeric, double analytic, double error,
                         String message) {
    }

    private GradCheck() {
    }

    /**
     * @param f      the function under test; called with the inputs (leaves that require grad) many times
     * @param inputs F32 leaves; those with requiresGrad are checked (views of other tensors are fine)
     */
    public static Result check(Function<Tensor[], Tensor> f, Tensor[] inputs, double eps, double atol, double rtol) {
        Tensor out0;
        try (var s = GradMode.noGrad()) {
            out0 = f.apply(inputs);
        }
        Rng rng = new Rng(1234);
        float[] r = new float[out0.numel()];
        rng.fillUniform(r, -1, 1);
        Tensor direction = Tensor.wrap(DType.F32, r, r.length).reshape(out0.shape());
        for (Tensor in : inputs) {
            if (in.requiresGrad()) {
                in.zeroGrad();
            }
        }
        Tensor out = f.apply(inputs);
        out.backward(direction);
        Result worst = new Result(true, -1, -1, 0, 0, 0, "no input requires grad");
        double worstRatio = -1;
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (!in.requiresGrad()) {
                continue;
            }
            float[] analytic = in.grad() == null ? new float[in.numel()] : in.grad().toFloatArray();
            int[] idx = new int[in.dim()];
            for (int e = 0; e < in.numel(); e++) {
                float orig = in.getFloat(idx);
                in.set(orig + eps, idx);
                double plus = project(f, inputs, r);
                in.set(orig - eps, idx);
                double minus = project(f, inputs, r);
                in.set(orig, idx);
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(numeric - analytic[e]);
                double allowed = atol + rtol * Math.abs(numeric);
                double ratio = err / allowed;
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    boolean ok = err <= allowed;
                    worst = new Result(ok, i, e, numeric, analytic[e], err, String.format(Locale.ROOT,
                            "input %d %s element %d %s: numeric %.6g vs analytic %.6g (error %.3g, allowed %.3g)",
                            i, Shapes.format(in.shapeRef()), e, Arrays.toString(idx), numeric, analytic[e], err,
                            allowed));
                }
                for (int d = idx.length - 1; d >= 0 && ++idx[d] == in.shapeRef()[d]; d--) {
                    idx[d] = 0;
                }
            }
        }
        return worst;
    }

    private static double project(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] r) {
        try (var s = GradMode.noGrad()) {
            float[] y = f.apply(inputs).toFloatArray();
            double acc = 0;
            for (int i = 0; i < y.length; i++) {
                acc += (double) y[i] * r[i];
            }
            return acc;
        }
    }
}
