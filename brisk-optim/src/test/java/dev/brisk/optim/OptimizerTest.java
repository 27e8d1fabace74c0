package dev.brisk.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Trust ratios, the weight-decay mask, convergence, hyperparameter validation and state export/import. */
class OptimizerTest {

    private static Tensor param(float[] v, int... shape) {
        return Tensor.of(v, shape).requiresGrad(true);
    }

    @Test
    void lambTrustRatioScalesTheAdamDirection() {
        float[] w0 = {3f, -4f, 0.5f, 1f, 2f, -1f};            // (2, 3)
        float[] g = {0.2f, -0.1f, 0.05f, -0.3f, 0f, 1f};
        Tensor w = param(w0, 2, 3);
        w.setGrad(Tensor.of(g, 2, 3));
        double lr = 0.01;
        double wd = 0.05;
        double eps = 1e-6;
        Optimizer opt = new Optimizer(new Lamb(0.9, 0.999, eps), lr, new ParamGroup("w", Map.of("w", w), 1, wd));
        opt.step();
        // step 1: m̂ = g, v̂ = g², so r_i = g_i / (|g_i| + ε) + wd·w_i; τ = ‖w‖ / ‖r‖.
        double[] r = new double[6];
        double wn = 0;
        double rn = 0;
        for (int i = 0; i < 6; i++) {
            r[i] = g[i] / (Math.abs(g[i]) + eps) + wd * w0[i];
            wn += (double) w0[i] * w0[i];
            rn += r[i] * r[i];
        }
        double trust = Math.sqrt(wn) / Math.sqrt(rn);
        assertTrue(trust > 1.5, "the problem should have a trust ratio far from 1, got " + trust);
        double[] expected = new double[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = w0[i] - lr * trust * r[i];
        }
        Problems.assertClose("lamb step", expected, w.toFloatArray(), 1e-6, 1e-7);
        // a zero tensor has trust ratio 1: θ = −lr·r
        Tensor z = param(new float[4], 4);
        z.setGrad(Tensor.of(new float[] {1, -2, 0, 3}, 4));
        new Optimizer(new Lamb(0.9, 0.999, eps), lr, ParamGroup.of(Map.of("z", z), 0)).step();
        Problems.assertClose("lamb zero param", new double[] {-lr / (1 + eps), 2 * lr / (2 + eps), 0, -3 * lr / (3 + eps)},
                z.toFloatArray(), 1e-5, 1e-9);
    }

    @Test
    void larsTrustRatioAndNoAdaptationWithoutDecay() {
        float[] w0 = {1f, 2f, -2f, 4f};
        float[] g = {0.5f, 0.5f, -0.5f, 0.5f};
        double lr = 0.1;
        double wd = 0.01;
        double eta = 0.001;
        Tensor w = param(w0, 2, 2);
        Tensor b = param(w0.clone(), 4);
        w.setGrad(Tensor.of(g, 2, 2));
        b.setGrad(Tensor.of(g, 4));
        ParamGroup[] groups = ParamGroup.split(Map.of("w", w, "b", b), wd, ParamGroup.DEFAULT_DECAY_MASK);
        new Optimizer(new Lars(0.9, eta, 0, false), lr, groups).step();
        double wn = 5;   // ‖(1, 2, −2, 4)‖
        double gn = 1;   // ‖(±0.5 ×4)‖
        double trust = eta * wn / (gn + wd * wn);
        double[] ew = new double[4];
        double[] eb = new double[4];
        for (int i = 0; i < 4; i++) {
            ew[i] = w0[i] - lr * trust * (g[i] + wd * w0[i]);
            eb[i] = w0[i] - lr * g[i];      // bias: no decay, so no adaptation: plain SGD step
        }
        Problems.assertClose("lars weight", ew, w.toFloatArray(), 1e-6, 1e-8);
        Problems.assertClose("lars bias", eb, b.toFloatArray(), 1e-6, 1e-8);
    }

    @Test
    void weightDecayMaskSkipsBiasesAndNorms() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("fc.weight", param(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        params.put("fc.bias", param(new float[] {1, 2}, 2));
        params.put("norm.weight", param(new float[] {1, 1, 1}, 3));
        ParamGroup[] groups = ParamGroup.split(params, 0.1, ParamGroup.DEFAULT_DECAY_MASK);
        assertEquals(List.of("fc.weight"), List.copyOf(groups[0].params().keySet()));
        assertEquals(List.of("fc.bias", "norm.weight"), List.copyOf(groups[1].params().keySet()));
        Optimizer opt = new Optimizer(Adam.adamW(), 0.5, groups);
        for (int s = 0; s < 3; s++) {
            params.values().forEach(p -> p.setGrad(Tensor.zeros(p.shape())));   // Adam's step is 0 for g = 0
            opt.step();
        }
        double shrink = Math.pow(1 - 0.5 * 0.1, 3);
        Problems.assertClose("decayed", new double[] {shrink, 2 * shrink, 3 * shrink, 4 * shrink, 5 * shrink,
            6 * shrink}, params.get("fc.weight").toFloatArray(), 1e-6, 0);
        assertArrayEquals(new float[] {1, 2}, params.get("fc.bias").toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, params.get("norm.weight").toFloatArray());
    }

    /** Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1). */
    private static double[] rosenbrock(UpdateRule rule, double lr, int steps) {
        Tensor xy = param(new float[] {-1.2f, 1f}, 2);
        Optimizer opt = Optimizer.of(rule, lr, Map.of("xy", xy), 0);
        for (int s = 0; s < steps; s++) {
            float[] v = xy.toFloatArray();
            double x = v[0];
            double y = v[1];
            xy.setGrad(Tensor.of(new float[] {(float) (-2 * (1 - x) - 400 * x * (y - x * x)),
                (float) (200 * (y - x * x))}, 2));
            opt.step();
        }
        float[] v = xy.toFloatArray();
        return new double[] {v[0], v[1]};
    }

    @Test
    void rosenbrockConverges() {
        double[] adam = rosenbrock(new Adam(0.9, 0.999, 1e-8, false), 0.02, 6000);
        assertEquals(1, adam[0], 1e-2, "adam x");
        assertEquals(1, adam[1], 2e-2, "adam y");
        double[] sgd = rosenbrock(new Sgd(0.9, 0, true), 2e-4, 20000);
        assertEquals(1, sgd[0], 2e-2, "nesterov x");
        assertEquals(1, sgd[1], 4e-2, "nesterov y");
    }

    @Test
    void convexQuadraticConvergesWithEveryOptimizer() {
        Map<String, Supplier<UpdateRule>> rules = new LinkedHashMap<>();
        rules.put("sgd", () -> Sgd.momentum(0.9));
        rules.put("adam", Adam::adam);
        rules.put("adamw", Adam::adamW);
        rules.put("rmsprop", () -> new RmsProp(0.9, 1e-8, 0.5, true));
        rules.put("adagrad", Adagrad::defaults);
        rules.put("lamb", () -> new Lamb(0.9, 0.99, 1e-6));
        rules.put("lars", () -> new Lars(0.9, 1, 1e-8, false));
        double[] lrs = {0.05, 0.02, 0.02, 0.005, 0.2, 0.01, 0.05};
        int i = 0;
        for (var e : rules.entrySet()) {
            Map<String, Tensor> params = Problems.params();
            Optimizer opt = Optimizer.of(e.getValue().get(), lrs[i++], params, 0);
            for (int s = 0; s < 2000; s++) {
                Problems.setGrads(params);
                opt.step();
            }
            double[] cw = new double[35];
            for (int k = 0; k < 35; k++) {
                cw[k] = Problems.c(k);
            }
            Problems.assertClose(e.getKey() + " converged weight", cw, params.get("weight").toFloatArray(), 0, 2e-2);
        }
    }

    @Test
    void hyperparametersAreValidatedWithPreciseMessages() {
        assertMessage(() -> new Adam(1.0, 0.999, 1e-8, false), "Adam beta1 must be in [0, 1), got 1.0");
        assertMessage(() -> new Adam(0.9, -0.1, 1e-8, true), "Adam beta2 must be in [0, 1), got -0.1");
        assertMessage(() -> new Adam(0.9, 0.999, 0, true), "Adam eps must be a positive finite number, got 0.0");
        assertMessage(() -> new Sgd(0.9, 0.1, true), "Nesterov momentum needs momentum > 0 and dampening = 0");
        assertMessage(() -> new Sgd(-0.1, 0, false), "SGD momentum must be in [0, 1), got -0.1");
        assertMessage(() -> new RmsProp(1.0, 1e-8, 0, false), "RMSProp alpha (smoothing constant) must be in [0, 1)");
        assertMessage(() -> new RmsProp(0.9, Double.NaN, 0, false), "RMSProp eps must be a positive finite number");
        assertMessage(() -> new Adagrad(-1, 0, 1e-10), "Adagrad lrDecay must be finite and >= 0, got -1.0");
        assertMessage(() -> new Adagrad(0, -1, 1e-10), "Adagrad initialAccumulatorValue must be finite and >= 0");
        assertMessage(() -> new Lamb(0.9, 1.5, 1e-6), "LAMB beta2 must be in [0, 1), got 1.5");
        assertMessage(() -> new Lars(0.9, 0, 1e-8, false), "LARS trustCoefficient must be a positive finite number");
        assertMessage(() -> new Lars(0, 0.001, 1e-8, true), "LARS with Nesterov momentum needs momentum > 0");
        assertMessage(() -> new ParamGroup("g", Map.of(), 1, -0.1), "param group 'g': weight decay must be finite and >= 0");
        assertMessage(() -> Optimizer.of(Sgd.plain(), Double.NaN, Problems.params(), 0),
                "learning rate must be finite and >= 0, got NaN");
    }

    private static void assertMessage(Runnable r, String fragment) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should contain '" + fragment
                + "'");
    }

    @Test
    void stateRoundTripResumesExactly() {
        Map<String, Tensor> a = Problems.params();
        Optimizer full = Optimizer.of(new Adam(0.9, 0.99, 1e-8, true), 0.05, a, 0.01);
        for (int s = 0; s < 6; s++) {
            Problems.setGrads(a);
            full.step();
        }
        Map<String, Tensor> b = Problems.params();
        Optimizer first = Optimizer.of(new Adam(0.9, 0.99, 1e-8, true), 0.05, b, 0.01);
        for (int s = 0; s < 3; s++) {
            Problems.setGrads(b);
            first.step();
        }
        Map<String, Tensor> saved = new LinkedHashMap<>();
        first.stateDict().forEach((k, v) -> saved.put(k, v.copy()));
        assertEquals(List.of("weight.exp_avg", "weight.exp_avg_sq", "weight.step", "bias.exp_avg", "bias.exp_avg_sq",
                "bias.step"), List.copyOf(saved.keySet()));
        assertEquals(3, saved.get("weight.step").toLongArray()[0]);
        Map<String, Tensor> c = new LinkedHashMap<>();
        b.forEach((k, v) -> c.put(k, v.detach().copy().requiresGrad(true)));
        Optimizer resumed = Optimizer.of(new Adam(0.9, 0.99, 1e-8, true), 0.05, c, 0.01);
        resumed.loadStateDict(saved);
        for (int s = 0; s < 3; s++) {
            Problems.setGrads(c);
            resumed.step();
        }
        assertArrayEquals(a.get("weight").toFloatArray(), c.get("weight").toFloatArray());
        assertArrayEquals(a.get("bias").toFloatArray(), c.get("bias").toFloatArray());
        assertEquals(6, resumed.stepCount("weight"));
    }

    @Test
    void loadingWrongStateFailsClearlyAndChangesNothing() {
        Map<String, Tensor> p = Problems.params();
        Optimizer opt = Optimizer.of(Adam.adam(), 0.1, p, 0);
        Problems.setGrads(p);
        opt.step();
        Map<String, Tensor> bad = new LinkedHashMap<>(opt.stateDict());
        bad.put("weight.exp_avg", Tensor.zeros(7, 5));
        var e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
        assertTrue(e.getMessage().contains("'weight.exp_avg' has shape [7, 5] but the parameter has shape [5, 7]"),
                e.getMessage());
        Map<String, Tensor> unknown = new LinkedHashMap<>(opt.stateDict());
        unknown.put("weight.momentum_buffer", Tensor.zeros(5, 7));
        e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(unknown));
        assertTrue(e.getMessage().contains("Adam has no state 'momentum_buffer'"), e.getMessage());
        Map<String, Tensor> missing = new LinkedHashMap<>(opt.stateDict());
        missing.remove("bias.exp_avg_sq");
        e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(missing));
        assertTrue(e.getMessage().contains("'bias': incomplete state"), e.getMessage());
        assertEquals(1, opt.stepCount("weight"));
    }
}
