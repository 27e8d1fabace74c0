package dev.brisk.cpu.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.tensor.backend.OptimizerKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VectorOptimizers against the scalar double ReferenceOptimizers, every kernel and option, on sizes around the
 * vector width (tails), large sizes (the parallel path), and non-zero array offsets.
 */
class VectorOptimizersTest {

    private static final OptimizerKernels REF = new ReferenceBackend().optimizers().orElseThrow();
    private static final OptimizerKernels VEC = new VectorOptimizers();

    /** Offsets of p, g and the state arrays: kernels must honour them. */
    private static final int PO = 3;
    private static final int GO = 5;
    private static final int SO = 2;

    /** Operands of one call; {@link #copy()} gives the vector kernel identical inputs. */
    private record Data(float[] p, float[] g, float[] s1, float[] s2, float[] s3) {
        static Data random(long seed, int n) {
            SplittableRandom r = new SplittableRandom(seed);
            return new Data(fill(r, n + PO, 0, 1), fill(r, n + GO, 0, 0.5), fill(r, n + SO, 0, 0.1),
                    fill(r, n + SO, 0.5, 0.1), fill(r, n + SO, 0, 0.3));
        }

        private static float[] fill(SplittableRandom r, int n, double base, double spread) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (base == 0 ? spread * r.nextGaussian() : base + spread * r.nextDouble());
            }
            return a;
        }

        Data copy() {
            return new Data(p.clone(), g.clone(), s1.clone(), s2.clone(), s3.clone());
        }
    }

    private static void assertClose(String what, float[] ref, float[] vec, double tol) {
        assertEquals(ref.length, vec.length);
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(ref[i] - vec[i]);
            if (!(d <= tol * (1 + Math.abs(ref[i]))) && !(Float.isNaN(ref[i]) && Float.isNaN(vec[i]))) {
                throw new AssertionError(what + "[" + i + "]: reference " + ref[i] + ", vector " + vec[i]);
            }
        }
    }

    private static void compare(String what, int n, Consumer<Data> ref, Consumer<Data> vec) {
        Data a = Data.random(n * 31L + what.hashCode(), n);
        Data b = a.copy();
        float[] g0 = a.g.clone();
        ref.accept(a);
        vec.accept(b);
        assertClose(what + " p", a.p, b.p, 1e-5);
        assertClose(what + " s1", a.s1, b.s1, 1e-5);
        assertClose(what + " s2", a.s2, b.s2, 1e-5);
        assertClose(what + " s3", a.s3, b.s3, 1e-5);
        if (!what.startsWith("scale") && !what.startsWith("clamp")) {
            assertEquals(Arrays.toString(g0), Arrays.toString(b.g), what + ": gradient must be read only");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 16, 17, 33, 1000, 70_001})
    void updatesMatchTheReference(int n) {
        for (boolean first : new boolean[] {true, false}) {
            for (boolean nesterov : new boolean[] {true, false}) {
                compare("sgd " + first + nesterov, n,
                        d -> REF.sgd(d.p, PO, d.g, GO, d.s1, SO, n, 0.1f, 0.9f, 0, nesterov, 0.01f, first),
                        d -> VEC.sgd(d.p, PO, d.g, GO, d.s1, SO, n, 0.1f, 0.9f, 0, nesterov, 0.01f, first));
            }
        }
        compare("sgd dampening", n,
                d -> REF.sgd(d.p, PO, d.g, GO, d.s1, SO, n, 0.1f, 0.8f, 0.3f, false, 0, false),
                d -> VEC.sgd(d.p, PO, d.g, GO, d.s1, SO, n, 0.1f, 0.8f, 0.3f, false, 0, false));
        compare("sgd plain", n,
                d -> REF.sgd(d.p, PO, d.g, GO, null, 0, n, 0.1f, 0, 0, false, 0.01f, true),
                d -> VEC.sgd(d.p, PO, d.g, GO, null, 0, n, 0.1f, 0, 0, false, 0.01f, true));
        for (boolean decoupled : new boolean[] {true, false}) {
            compare("adam " + decoupled, n,
                    d -> REF.adam(d.p, PO, d.g, GO, d.s1, d.s2, SO, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled,
                            0.271f, 0.00399f),
                    d -> VEC.adam(d.p, PO, d.g, GO, d.s1, d.s2, SO, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled,
                            0.271f, 0.00399f));
        }
        compare("rmsprop centered momentum", n,
                d -> REF.rmsprop(d.p, PO, d.g, GO, d.s2, d.s1, d.s3, SO, n, 0.01f, 0.9f, 1e-8f, 0.01f, 0.5f),
                d -> VEC.rmsprop(d.p, PO, d.g, GO, d.s2, d.s1, d.s3, SO, n, 0.01f, 0.9f, 1e-8f, 0.01f, 0.5f));
        compare("rmsprop plain", n,
                d -> REF.rmsprop(d.p, PO, d.g, GO, d.s2, null, null, SO, n, 0.01f, 0.99f, 1e-8f, 0, 0),
                d -> VEC.rmsprop(d.p, PO, d.g, GO, d.s2, null, null, SO, n, 0.01f, 0.99f, 1e-8f, 0, 0));
        compare("adagrad", n,
                d -> REF.adagrad(d.p, PO, d.g, GO, d.s2, SO, n, 0.1f, 1e-10f, 0.01f),
                d -> VEC.adagrad(d.p, PO, d.g, GO, d.s2, SO, n, 0.1f, 1e-10f, 0.01f));
        for (boolean nesterov : new boolean[] {true, false}) {
            compare("lars " + nesterov, n,
                    d -> REF.lars(d.p, PO, d.g, GO, d.s1, SO, n, 0.1f, 0.37f, 0.9f, 1e-4f, nesterov),
                    d -> VEC.lars(d.p, PO, d.g, GO, d.s1, SO, n, 0.1f, 0.37f, 0.9f, 1e-4f, nesterov));
        }
        compare("ema", n, d -> REF.ema(d.s1, SO, d.p, PO, n, 0.99f), d -> VEC.ema(d.s1, SO, d.p, PO, n, 0.99f));
        compare("clamp", n, d -> REF.clamp(d.g, GO, n, -0.2f, 0.3f), d -> VEC.clamp(d.g, GO, n, -0.2f, 0.3f));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 17, 1000, 1025, 70_001})
    void reductionsMatchTheReference(int n) {
        Data a = Data.random(n, n);
        Data b = a.copy();
        double ref = REF.lambMoments(a.p, PO, a.g, GO, a.s1, a.s2, SO, n, 0.9f, 0.999f, 1e-6f, 0.01f, 0.1f, 0.002f);
        double vec = VEC.lambMoments(b.p, PO, b.g, GO, b.s1, b.s2, SO, n, 0.9f, 0.999f, 1e-6f, 0.01f, 0.1f, 0.002f);
        assertEquals(ref, vec, 1e-5 * ref, "lamb ‖r‖²");
        assertClose("lamb m", a.s1, b.s1, 1e-6);
        assertClose("lamb v", a.s2, b.s2, 1e-6);
        REF.lambApply(a.p, PO, a.s1, a.s2, SO, n, 0.05f, 1e-6f, 0.01f, 0.1f, 0.002f);
        VEC.lambApply(b.p, PO, b.s1, b.s2, SO, n, 0.05f, 1e-6f, 0.01f, 0.1f, 0.002f);
        assertClose("lamb p", a.p, b.p, 1e-5);
        double sr = REF.sumOfSquares(a.g, GO, n);
        assertEquals(sr, VEC.sumOfSquares(a.g, GO, n), 1e-6 * sr, "sum of squares");
        assertEquals(VEC.sumOfSquares(a.g, GO, n), VEC.sumOfSquares(a.g, GO, n), "deterministic");
        assertEquals(REF.scale(a.g, GO, n, 0.25f), VEC.scale(b.g, GO, n, 0.25f));
        assertClose("scale", a.g, b.g, 0);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = Data.random(n + 1, n).g;
            x[GO + n - 1] = bad;                   // the last element: the tail for most n
            assertEquals(true, VEC.scale(x.clone(), GO, n, 0.5f), "non-finite " + bad + " found");
            assertEquals(true, REF.scale(x.clone(), GO, n, 0.5f));
            assertEquals(false, VEC.scale(x.clone(), GO, n - 1, 0.5f), "elements past n are not read");
        }
        float[] big = {3e38f, 1f, 2f};
        assertEquals(true, VEC.scale(big, 0, 3, 4f), "overflow to inf while scaling is flagged");
    }
}
