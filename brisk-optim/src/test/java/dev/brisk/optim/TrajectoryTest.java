package dev.brisk.optim;

import dev.brisk.tensor.Tensor;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each optimizer's trajectory over several steps of {@link Problems} against a hand-written double-precision
 * implementation of the published algorithm (PyTorch's pseudo-code; LAMB as optax, LARS as timm), with two
 * parameter groups (a decayed weight at the base lr, an undecayed bias at half the lr) and a changing lr.
 */
class TrajectoryTest {

    /** One optimizer step on one tensor, in double: p and the state arrays s[slot] are updated in place. */
    interface Scalar {
        void step(double[] p, double[] g, double lr, double wd, int t, double[][] s);
    }

    static final double WD = 0.1;
    static final int STEPS = 8;

    static Scalar sgd(double mu, double damp, boolean nesterov) {
        return (p, g, lr, wd, t, s) -> {
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] + wd * p[i];
                double d = gi;
                if (mu != 0) {
                    s[0][i] = t == 1 ? gi : mu * s[0][i] + (1 - damp) * gi;
                    d = nesterov ? gi + mu * s[0][i] : s[0][i];
                }
                p[i] -= lr * d;
            }
        };
    }

    static Scalar adam(double b1, double b2, double eps, boolean decoupled) {
        return (p, g, lr, wd, t, s) -> {
            for (int i = 0; i < p.length; i++) {
                double gi = g[i];
                if (decoupled) {
                    p[i] *= 1 - lr * wd;
                } else {
                    gi += wd * p[i];
                }
                s[0][i] = b1 * s[0][i] + (1 - b1) * gi;
                s[1][i] = b2 * s[1][i] + (1 - b2) * gi * gi;
                double mHat = s[0][i] / (1 - Math.pow(b1, t));
                double vHat = s[1][i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        };
    }

    static Scalar rmsprop(double alpha, double eps, double mu, boolean centered) {
        return (p, g, lr, wd, t, s) -> {
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] + wd * p[i];
                s[0][i] = alpha * s[0][i] + (1 - alpha) * gi * gi;
                double avg = s[0][i];
                if (centered) {
                    s[1][i] = alpha * s[1][i] + (1 - alpha) * gi;
                    avg -= s[1][i] * s[1][i];
                }
                double denom = Math.sqrt(avg) + eps;
                if (mu > 0) {
                    s[2][i] = mu * s[2][i] + gi / denom;
                    p[i] -= lr * s[2][i];
                } else {
                    p[i] -= lr * gi / denom;
                }
            }
        };
    }

    static Scalar adagrad(double lrDecay, double init, double eps) {
        return (p, g, lr, wd, t, s) -> {
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < p.length; i++) {
                if (t == 1) {
                    s[0][i] = init;
                }
                double gi = g[i] + wd * p[i];
                s[0][i] += gi * gi;
                p[i] -= clr * gi / (Math.sqrt(s[0][i]) + eps);
            }
        };
    }

    static Scalar lamb(double b1, double b2, double eps) {
        return (p, g, lr, wd, t, s) -> {
            double[] r = new double[p.length];
            double pn = 0;
            double rn = 0;
            for (int i = 0; i < p.length; i++) {
                s[0][i] = b1 * s[0][i] + (1 - b1) * g[i];
                s[1][i] = b2 * s[1][i] + (1 - b2) * g[i] * g[i];
                r[i] = (s[0][i] / (1 - Math.pow(b1, t))) / (Math.sqrt(s[1][i] / (1 - Math.pow(b2, t))) + eps)
                        + wd * p[i];
                pn += p[i] * p[i];
                rn += r[i] * r[i];
            }
            double ratio = pn > 0 && rn > 0 ? Math.sqrt(pn) / Math.sqrt(rn) : 1;
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * ratio * r[i];
            }
        };
    }

    static Scalar lars(double mu, double eta, double eps, boolean nesterov) {
        return (p, g, lr, wd, t, s) -> {
            double wn = 0;
            double gn = 0;
            for (int i = 0; i < p.length; i++) {
                wn += p[i] * p[i];
                gn += g[i] * g[i];
            }
            wn = Math.sqrt(wn);
            gn = Math.sqrt(gn);
            double trust = wd != 0 && wn > 0 && gn > 0 ? eta * wn / (gn + wd * wn + eps) : 1;
            for (int i = 0; i < p.length; i++) {
                double gi = (g[i] + wd * p[i]) * trust;
                s[0][i] = mu * s[0][i] + gi;
                p[i] -= lr * (nesterov ? gi + mu * s[0][i] : s[0][i]);
            }
        };
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sgd plain", Sgd.plain(), sgd(0, 0, false)),
                Arguments.of("sgd momentum+dampening", new Sgd(0.9, 0.3, false), sgd(0.9, 0.3, false)),
                Arguments.of("sgd nesterov", new Sgd(0.8, 0, true), sgd(0.8, 0, true)),
                Arguments.of("adam (L2)", Adam.adam(), adam(0.9, 0.999, 1e-8, false)),
                Arguments.of("adamw", new Adam(0.8, 0.95, 1e-6, true), adam(0.8, 0.95, 1e-6, true)),
                Arguments.of("rmsprop", RmsProp.defaults(), rmsprop(0.99, 1e-8, 0, false)),
                Arguments.of("rmsprop centered+momentum", new RmsProp(0.9, 1e-6, 0.7, true),
                        rmsprop(0.9, 1e-6, 0.7, true)),
                Arguments.of("adagrad", new Adagrad(0.05, 0.1, 1e-10), adagrad(0.05, 0.1, 1e-10)),
                Arguments.of("lamb", Lamb.defaults(), lamb(0.9, 0.999, 1e-6)),
                Arguments.of("lars", new Lars(0.9, 0.02, 1e-8, false), lars(0.9, 0.02, 1e-8, false)),
                Arguments.of("lars nesterov", new Lars(0.8, 0.5, 1e-8, true), lars(0.8, 0.5, 1e-8, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesHandWrittenAlgorithm(String name, UpdateRule rule, Scalar ref) {
        Map<String, Tensor> params = Problems.params();
        Optimizer opt = new Optimizer(rule, 0.1,
                new ParamGroup("decay", Map.of("weight", params.get("weight")), 1.0, WD),
                new ParamGroup("no_decay", Map.of("bias", params.get("bias")), 0.5, 0));
        double[] w = Problems.init(35, 0);
        double[] b = Problems.init(9, 1);
        int slots = 3;
        double[][] sw = new double[slots][35];
        double[][] sb = new double[slots][9];
        for (int t = 1; t <= STEPS; t++) {
            double lr = 0.1 * (1 - 0.05 * t);
            opt.setLr(lr);
            Problems.setGrads(params);
            opt.step();
            ref.step(w, Problems.grad(w), lr, WD, t, sw);
            ref.step(b, Problems.grad(b), lr * 0.5, 0, t, sb);
            Problems.assertClose(name + " weight after step " + t, w, params.get("weight").toFloatArray(), 2e-5, 5e-6);
            Problems.assertClose(name + " bias after step " + t, b, params.get("bias").toFloatArray(), 2e-5, 5e-6);
        }
    }
}
