package dev.brisk.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Flatten;
import dev.brisk.nn.Linear;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.StepResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class QatTest {

    @Test
    void fakeQuantGradientPassesInsideTheRangeAndIsZeroOutside() {
        QParams q = QParams.affine(-1f, 1f); // representable ≈ [−1.0, 1.0]
        float[] xs = {-3f, -1.2f, -0.99f, -0.3f, 0f, 0.004f, 0.5f, 0.98f, 1.5f, 7f};
        Tensor x = Tensor.of(xs, xs.length).requiresGrad(true);
        Tensor y = FakeQuant.perTensor(x, q);
        Tensor upstream = Tensor.arange(xs.length).add(1f); // distinct per element
        y.mul(upstream).sum().backward();
        float[] g = x.grad().toFloatArray();
        float[] u = upstream.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            boolean inside = xs[i] >= q.min() && xs[i] <= q.max();
            assertEquals(inside ? u[i] : 0f, g[i], "x=" + xs[i]);
        }
        // forward: the int8 grid, clamped at the ends
        float[] v = y.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(q.dequantize(q.quantize(xs[i])), v[i]);
            assertTrue(Math.abs(v[i] - Math.clamp(xs[i], q.min(), q.max())) <= q.scale() / 2 + 1e-6);
        }
    }

    @Test
    void perChannelFakeQuantIsTheIdentityForGradients() {
        Tensor w = Tensor.randn(new Rng(1), 4, 6).requiresGrad(true);
        Tensor up = Tensor.randn(new Rng(2), 4, 6);
        FakeQuant.perChannelSymmetric(w).mul(up).sum().backward();
        assertArrayEquals(up.toFloatArray(), w.grad().toFloatArray());
    }

    @Test
    void qatModelKeepsTheStateDictAndFreezesItsObservers() {
        Rng rng = new Rng(3);
        Sequential plain = new Sequential(new Conv2d(1, 4, 3, rng), new ReLU(), new Flatten(),
                new Linear(4 * 4 * 4, 3, rng));
        Qat qat = Qat.prepare(plain, 2);
        assertEquals(plain.stateDict().keySet(), qat.model().stateDict().keySet());
        assertTrue(plain.parameters().get(0) == qat.model().parameters().get(0), "the very same tensors");
        Tensor x = Tensor.randn(rng, 5, 1, 6, 6);
        qat.model().train();
        Tensor a = qat.model().forward(x);
        plain.eval();
        Tensor b = plain.forward(x);
        float err = a.sub(b).abs().max().item();
        assertTrue(err > 0 && err < 0.05f * b.abs().max().item(), "close to the float model, but quantized: " + err);
        assertEquals(2, qat.observers().size());
        qat.afterStep(null, step(1));
        assertFalse(qat.observers().get(0).isFrozen());
        qat.afterStep(null, step(2));
        assertTrue(qat.observers().stream().allMatch(ActivationObserver::isFrozen));
        QParams frozen = qat.observers().get(0).qparams();
        qat.model().forward(x.mul(10f)); // a wider input no longer moves the range
        assertEquals(frozen, qat.observers().get(0).qparams());
    }

    private static StepResult step(long t) {
        return new StepResult(t, 0, 0, false, 1, 1, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void qatTrainingReducesTheLoss() {
        Rng rng = new Rng(4);
        Sequential plain = new Sequential(new Linear(8, 16, rng), new ReLU(), new Linear(16, 2, rng));
        Qat qat = Qat.prepare(plain, 5);
        var opt = new dev.brisk.optim.Optimizer(new dev.brisk.optim.Sgd(0.9, 0, false), 0.1,
                dev.brisk.optim.ParamGroup.of(qat.model().namedParameters(), 0));
        var step = new dev.brisk.train.TrainStep(qat.model(), new dev.brisk.nn.loss.CrossEntropyLoss(), opt, null,
                dev.brisk.optim.Precision.FP32);
        Tensor x = Tensor.randn(rng, 64, 8);
        long[] y = new long[64];
        float[] xv = x.toFloatArray();
        for (int i = 0; i < 64; i++) {
            y[i] = xv[i * 8] + xv[i * 8 + 1] > 0 ? 1 : 0; // a linearly separable rule
        }
        var batch = new dev.brisk.data.Batch(x, Tensor.ofLongs(y, 64), new int[64]);
        double first = step.run(List.of(batch), 0).loss();
        double last = first;
        for (int i = 0; i < 60; i++) {
            StepResult r = step.run(List.of(batch), 0);
            qat.afterStep(null, r);
            last = r.loss();
        }
        assertTrue(last < 0.5 * first, first + " → " + last);
    }
}
