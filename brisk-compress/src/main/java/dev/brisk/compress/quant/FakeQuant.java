package dev.brisk.compress.quant;

import dev.brisk.tensor.Graph;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;

/**
 * Fake quantization: {@code y = (clamp(round(x/s) + z, qmin, qmax) − z)·s}, the value int8 inference will see, in
 * float. Backward is the straight-through estimator with clipping (Bengio et al. 2013; Jacob et al. 2018):
 * rounding is treated as the identity, so {@code dL/dx = dL/dy} where {@code x} lies inside the representable range
 * {@code [(qmin − z)·s, (qmax − z)·s]} and 0 outside it, where the clamp is flat.
 */
public final class FakeQuant {

    private FakeQuant() {
    }

    /** Per-tensor affine fake quantization of {@code x} with {@code q} (activations). */
    public static Tensor perTensor(Tensor x, QParams q) {
        float[] v = x.contiguous().toFloatArray();
        float[] y = new float[v.length];
        float[] pass = new float[v.length];
        float lo = q.min();
        float hi = q.max();
        for (int i = 0; i < v.length; i++) {
            y[i] = q.dequantize(q.quantize(v[i]));
            pass[i] = v[i] >= lo && v[i] <= hi ? 1f : 0f;
        }
        return record(x, y, pass, "fake_quant");
    }

    /**
     * Per-channel symmetric fake quantization of a weight (channels along dim 0), {@code s[o] = max|w[o]| / 127},
     * codes in [−127, 127]; nothing is clipped, so the gradient passes everywhere.
     */
    public static Tensor perChannelSymmetric(Tensor w) {
        float[] v = w.contiguous().toFloatArray();
        int rows = w.size(0);
        int k = v.length / rows;
        float[] y = new float[v.length];
        float[] pass = new float[v.length];
        for (int o = 0; o < rows; o++) {
            float max = 0;
            for (int p = 0; p < k; p++) {
                max = Math.max(max, Math.abs(v[o * k + p]));
            }
            float s = QParams.symmetric(max).scale();
            for (int p = 0; p < k; p++) {
                int i = o * k + p;
                y[i] = Math.clamp(Math.round(v[i] / s), -127, 127) * s;
                pass[i] = 1f;
            }
        }
        return record(w, y, pass, "fake_quant_per_channel");
    }

    private static Tensor record(Tensor x, float[] y, float[] pass, String op) {
        Tensor out = Tensor.of(y, x.shape());
        if (!Graph.needed(x)) {
            return out;
        }
        Tensor mask = Tensor.of(pass, x.shape());
        // y = fq(x): dL/dx = dL/dy · 1[x in range] (straight-through)
        return Graph.recordSaving(out, op, g -> new Tensor[] {g.mul(mask)}, new Tensor[0], x);
    }

    /** Runs {@code body} without recording (observer updates). */
    static void untracked(Runnable body) {
        try (var _ = GradMode.noGrad()) {
            body.run();
        }
    }
}
