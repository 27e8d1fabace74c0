package dev.brisk.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A 2-layer MLP built from tensor ops (16 → 32 → 4, ReLU, cross-entropy) trained on generated data with AdamW:
 * bf16 and fp16 (with dynamic loss scaling) reach the fp32 loss within a stated tolerance, following the recipe a
 * trainer uses: fp32 master weights, 16-bit matmul operands, fp32 bias/ReLU/softmax/loss/optimizer.
 */
class MixedPrecisionMlpTest {

    static final int N = 256;
    static final int D = 16;
    static final int H = 32;
    static final int C = 4;
    static final int STEPS = 60;
    /** |final loss − fp32 final loss| allowed: bf16 keeps 8 significand bits, fp16 11. */
    static final double BF16_TOL = 0.01;
    static final double FP16_TOL = 0.002;

    private static Tensor x;
    private static Tensor y;

    static {
        SplittableRandom r = new SplittableRandom(3);
        float[] xs = new float[N * D];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
        }
        float[] teacher = new float[D * C];
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = (float) r.nextGaussian();
        }
        long[] labels = new long[N];
        for (int n = 0; n < N; n++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) {
                double s = 0;
                for (int d = 0; d < D; d++) {
                    s += xs[n * D + d] * teacher[d * C + c] + 0.5 * Math.abs(xs[n * D + d]) * (c - 1.5) / D;
                }
                if (s > best) {
                    best = s;
                    labels[n] = c;
                }
            }
        }
        for (int n = 0; n < N; n++) {
            if (r.nextDouble() < 0.2) {
                labels[n] = r.nextInt(C);      // label noise: the loss cannot go to 0, so differences show
            }
        }
        x = Tensor.of(xs, N, D);
        y = Tensor.ofLongs(labels, N, 1);
    }

    private static Map<String, Tensor> initParams() {
        Rng rng = new Rng(11);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("fc1.weight", Tensor.randn(rng, D, H).mul((float) Math.sqrt(2.0 / D)).detach().requiresGrad(true));
        p.put("fc1.bias", Tensor.zeros(H).requiresGrad(true));
        p.put("fc2.weight", Tensor.randn(rng, H, C).mul((float) Math.sqrt(1.0 / H)).detach().requiresGrad(true));
        p.put("fc2.bias", Tensor.zeros(C).requiresGrad(true));
        return p;
    }

    /** Mean cross-entropy of the MLP under {@code policy}. */
    private static Tensor loss(Map<String, Tensor> p, Precision policy) {
        // (N, D)·(D, H) in the 16-bit type, + fp32 bias → fp32, ReLU in fp32
        Tensor h = policy.castForCompute(x).matmul(policy.castForCompute(p.get("fc1.weight")))
                .add(p.get("fc1.bias")).relu();
        // (N, H)·(H, C) → logits (N, C); log-softmax and the loss in fp32
        Tensor logits = policy.castForCompute(h).matmul(policy.castForCompute(p.get("fc2.weight")))
                .add(p.get("fc2.bias"));
        Tensor logp = policy.castToFp32(logits).logSoftmax(1);
        return logp.gather(1, y).mean().neg();
    }

    private static double train(Precision policy) {
        Map<String, Tensor> p = initParams();
        Optimizer opt = new Optimizer(Adam.adamW(), 0.01, ParamGroup.split(p, 0.01, ParamGroup.DEFAULT_DECAY_MASK));
        LossScaler scaler = policy.newLossScaler();
        double last = Double.NaN;
        for (int s = 0; s < STEPS; s++) {
            opt.zeroGrad();
            Tensor l = loss(p, policy);
            assertEquals(DType.F32, l.dtype());
            scaler.scale(l).backward();
            scaler.unscale(opt);
            GradClip.byGlobalNorm(p, 5.0);
            scaler.step(opt);
            scaler.update();
            last = l.item();
        }
        return last;
    }

    @Test
    void bf16AndFp16ReachTheFp32Loss() {
        double initial = loss(initParams(), Precision.FP32).item();
        double fp32 = train(Precision.FP32);
        double bf16 = train(Precision.BF16);
        double fp16 = train(Precision.FP16);
        String report = "initial " + initial + ", fp32 " + fp32 + ", bf16 " + bf16 + ", fp16 " + fp16;
        assertTrue(fp32 < 0.5 * initial, "fp32 must learn: " + report);
        assertEquals(fp32, bf16, BF16_TOL, report);
        assertEquals(fp32, fp16, FP16_TOL, report);
        System.out.println("MLP losses: " + report);
    }
}
