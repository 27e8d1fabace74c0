package dev.brisk.nn.loss;

import static dev.brisk.nn.NnTesting.assertClose;
import static dev.brisk.nn.NnTesting.assertGradients;
import static dev.brisk.nn.NnTesting.assertShape;
import static dev.brisk.nn.NnTesting.assertThrowsWith;
import static dev.brisk.nn.NnTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Losses against values worked out by hand. For logits [1, 2, 3]: logsumexp = 3 + ln(1 + e⁻¹ + e⁻²) = 3.40760596,
 * so logp = [−2.40760596, −1.40760596, −0.40760596]; for logits [1, 1, 1]: logp = −ln 3 = −1.09861229 each.
 */
class LossTest {

    static final double NLL0 = 0.40760596; // −logp[2] of [1, 2, 3]
    static final double LN3 = 1.09861229;

    static Tensor logits() {
        return Tensor.of(new float[] {1, 2, 3, 1, 1, 1}, 2, 3);
    }

    static Tensor labels(long... v) {
        return Tensor.ofLongs(v, v.length);
    }

    @Test
    void crossEntropyReductions() {
        assertClose(new double[] {(NLL0 + LN3) / 2}, Losses.crossEntropy(logits(), labels(2, 0)), "mean");
        assertClose(new double[] {NLL0 + LN3},
                Losses.crossEntropy(logits(), labels(2, 0), Reduction.SUM, 0, -100), "sum");
        Tensor none = Losses.crossEntropy(logits(), labels(2, 0), Reduction.NONE, 0, -100);
        assertShape(none, 2);
        assertClose(new double[] {NLL0, LN3}, none, "none");
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHotOverN() {
        Tensor x = logits().requiresGrad(true);
        Losses.crossEntropy(x, labels(2, 0)).backward();
        double e = Math.exp(3.40760596);
        assertClose(new double[] {Math.exp(1) / e / 2, Math.exp(2) / e / 2, (Math.exp(3) / e - 1) / 2,
            (1 / 3.0 - 1) / 2, 1 / 6.0, 1 / 6.0}, x.grad(), "grad");
    }

    @Test
    void labelSmoothing() {
        // ℓ = 0.9·nll + 0.1·mean_c(−logp): row 0 mean(−logp) = 1.40760596, row 1 = ln 3
        double row0 = 0.9 * NLL0 + 0.1 * 1.40760596;
        assertEquals(0.50760596, row0, 1e-8);
        assertClose(new double[] {(row0 + LN3) / 2},
                Losses.crossEntropy(logits(), labels(2, 0), Reduction.MEAN, 0.1f, -100), "smoothed mean");
        // with ε = 1 the target is uniform
        assertClose(new double[] {1.40760596, LN3},
                Losses.crossEntropy(logits(), labels(2, 0), Reduction.NONE, 1f, -100), "uniform target");
    }

    @Test
    void ignoreIndex() {
        assertClose(new double[] {NLL0}, Losses.crossEntropy(logits(), labels(2, -100)), "mean over the kept one");
        assertClose(new double[] {NLL0, 0},
                Losses.crossEntropy(logits(), labels(2, -100), Reduction.NONE, 0, -100), "none");
        assertClose(new double[] {0.9 * NLL0 + 0.1 * 1.40760596},
                Losses.crossEntropy(logits(), labels(2, 1), Reduction.SUM, 0.1f, 1), "custom index, smoothed");
        Tensor x = logits().requiresGrad(true);
        Losses.crossEntropy(x, labels(-100, 0)).backward();
        assertClose(new double[] {0, 0, 0, 1 / 3.0 - 1, 1 / 3.0, 1 / 3.0}, x.grad(), "no gradient for ignored row");
        assertEquals(Float.NaN, Losses.crossEntropy(logits(), labels(-100, -100)).item(), "all ignored: 0/0 as PyTorch");
    }

    @Test
    void spatialProbabilityAndUnbatchedInputs() {
        // (N=1, C=3, d=2): position 0 has logits [1, 2, 3], position 1 has [1, 1, 1]
        Tensor spatial = Tensor.of(new float[] {1, 1, 2, 1, 3, 1}, 1, 3, 2);
        Tensor none = new CrossEntropyLoss(Reduction.NONE, 0, -100).apply(spatial, Tensor.ofLongs(new long[] {2, 0},
                1, 2));
        assertShape(none, 1, 2);
        assertClose(new double[] {NLL0, LN3}, none, "spatial");
        Tensor probs = Tensor.of(new float[] {0, 0, 1, 1, 0, 0}, 2, 3);
        assertClose(new double[] {(NLL0 + LN3) / 2}, Losses.crossEntropy(logits(), probs), "probability targets");
        Tensor soft = Tensor.of(new float[] {0.5f, 0, 0.5f, 0, 0, 1}, 2, 3);
        assertClose(new double[] {(0.5 * 2.40760596 + 0.5 * NLL0 + LN3) / 2}, Losses.crossEntropy(logits(), soft),
                "soft targets");
        Tensor unbatched = new CrossEntropyLoss(Reduction.NONE, 0, -100).apply(Tensor.of(new float[] {1, 2, 3}, 3),
                Tensor.ofLongs(new long[] {2}).reshape());
        assertShape(unbatched);
        assertClose(new double[] {NLL0}, unbatched, "unbatched");
    }

    @Test
    void crossEntropyGradients() {
        Tensor target = Tensor.ofLongs(new long[] {1, -100, 3, 0, 2, 2}, 2, 3);
        Loss loss = new CrossEntropyLoss(Reduction.MEAN, 0.2f, -100);
        assertGradients(in -> loss.apply(in[0], target), input(1, 2, 4, 3).requiresGrad(true));
        Tensor probs = input(2, 3, 4).abs().softmax(1);
        assertGradients(in -> Losses.crossEntropy(in[0], probs), input(3, 3, 4).mul(2f).requiresGrad(true));
    }

    @Test
    void crossEntropyRejectsBadTargets() {
        assertThrowsWith(IndexOutOfBoundsException.class, () -> Losses.crossEntropy(logits(), labels(3, 0)),
                "target 3", "[0, 3)", "-100");
        assertThrowsWith(IllegalArgumentException.class, () -> Losses.crossEntropy(logits(), labels(1, 0, 2)),
                "input of shape [2,3]", "class indices of shape [2]", "got I64 of shape [3]");
        assertThrowsWith(IllegalArgumentException.class, () -> new CrossEntropyLoss(Reduction.MEAN, 1.5f, -100),
                "labelSmoothing must be in [0, 1], got 1.5");
        assertThrowsWith(IllegalArgumentException.class, () -> new CrossEntropyLoss(Reduction.BATCHMEAN, 0, -100),
                "BATCHMEAN");
    }

    @Test
    void mse() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor y = Tensor.of(new float[] {0, 2, 5}, 3);
        assertClose(new double[] {5 / 3.0}, Losses.mse(x, y), "mean");
        assertClose(new double[] {5}, Losses.mse(x, y, Reduction.SUM), "sum");
        assertClose(new double[] {1, 0, 4}, Losses.mse(x, y, Reduction.NONE), "none");
        assertGradients(in -> Losses.mse(in[0], in[1]), input(1, 2, 3).requiresGrad(true),
                input(2, 2, 3).requiresGrad(true));
        assertThrowsWith(IllegalArgumentException.class, () -> Losses.mse(x, Tensor.zeros(3, 1)), "MseLoss",
                "[3]", "[3,1]");
    }

    @Test
    void bceWithLogits() {
        // max(x, 0) − x·y + ln(1 + e^−|x|): x=0,y=1 → ln 2; x=2,y=0 → 2 + ln(1+e⁻²); x=−3,y=½ → 1.5 + ln(1+e⁻³)
        Tensor x = Tensor.of(new float[] {0, 2, -3}, 3).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {1, 0, 0.5f}, 3);
        double[] per = {0.69314718, 2.12692801, 1.54858735};
        assertClose(per, Losses.bceWithLogits(x, y, Reduction.NONE), "none");
        Tensor mean = Losses.bceWithLogits(x, y);
        assertClose(new double[] {(per[0] + per[1] + per[2]) / 3}, mean, "mean");
        mean.backward();
        // σ(x) − y, over 3; at exactly x = 0 the slope is ½ − y
        assertClose(new double[] {-0.5 / 3, 0.88079708 / 3, (0.04742587 - 0.5) / 3}, x.grad(), "grad");
        // extreme logits stay finite
        assertClose(new double[] {100, 0, 0, 100}, Losses.bceWithLogits(Tensor.of(new float[] {100, -100, 100, -100},
                4), Tensor.of(new float[] {0, 0, 1, 1}, 4), Reduction.NONE), 1e-5, 1e-6, "extremes");
        assertGradients(in -> Losses.bceWithLogits(in[0], in[1], Reduction.SUM), input(3, 2, 3).mul(3f)
                .requiresGrad(true), input(4, 2, 3).abs().requiresGrad(true));
    }

    @Test
    void klDivergence() {
        // row 0: p = [½, ½], q = [¼, ¾] → ½ ln 2 + ½ ln(2/3); row 1: p = [1, 0], q = [½, ½] → ln 2 (+ 0 for p = 0)
        Tensor logq = Tensor.of(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, 2, 2).log();
        Tensor p = Tensor.of(new float[] {0.5f, 0.5f, 1, 0}, 2, 2);
        double[] per = {0.34657359, -0.20273255, 0.69314718, 0};
        double sum = 0.83698822;
        assertClose(per, Losses.klDiv(logq, p, Reduction.NONE), "none");
        assertClose(new double[] {sum}, Losses.klDiv(logq, p, Reduction.SUM), "sum");
        assertClose(new double[] {sum / 4}, new KlDivLoss().apply(logq, p), "mean (default)");
        assertClose(new double[] {sum / 2}, Losses.klDiv(logq, p, Reduction.BATCHMEAN), "batchmean");
        Tensor logp = Tensor.of(new float[] {0.5f, 0.5f}, 1, 2).log();
        assertClose(new double[] {0.14384104}, Losses.klDiv(logq.narrow(0, 0, 1), logp, Reduction.SUM, true),
                "log target");
        Tensor target = input(5, 3, 4).abs().softmax(1);
        assertGradients(in -> Losses.klDiv(in[0].logSoftmax(1), target, Reduction.BATCHMEAN),
                input(6, 3, 4).requiresGrad(true));
        assertThrowsWith(IllegalArgumentException.class, () -> Losses.mse(logq, p, Reduction.BATCHMEAN),
                "only defined for KL");
    }
}
