package dev.brisk.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.GradCheck;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;

/**
 * Helpers for the nn tests. Expected values are computed in the tests from plain arrays with explicit index
 * arithmetic (in double), never through the layer under test.
 */
public final class NnTesting {

    private NnTesting() {
    }

    /** Deterministic uniform values in [lo, hi), independent of the library's Rng. */
    public static float[] uniform(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** A leaf F32 tensor of uniform values in [-1, 1). */
    public static Tensor input(long seed, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Tensor.of(uniform(seed, n, -1, 1), shape);
    }

    public static void assertClose(double[] expected, Tensor actual, double rtol, double atol, String what) {
        float[] a = actual.toFloatArray();
        if (expected.length != a.length) {
            fail(what + ": expected " + expected.length + " elements, got " + a.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + a[i]);
            }
        }
    }

    public static void assertClose(double[] expected, Tensor actual, String what) {
        assertClose(expected, actual, 1e-4, 1e-5, what);
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Checks the gradients of {@code f} against finite differences for every input with requiresGrad. */
    public static void assertGradients(Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, inputs, 1e-2, 2e-2, 2e-2);
        assertTrue(r.passed(), r.message());
    }

    /** Gradcheck of a module with respect to its input {@code x} and all its parameters. */
    public static void assertModuleGradients(Module m, Tensor x) {
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x.requiresGrad(true));
        inputs.addAll(m.parameters());
        assertGradients(in -> m.forward(in[0]), inputs.toArray(Tensor[]::new));
    }

    /** Asserts that {@code body} throws {@code type} with a message containing every fragment. */
    public static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable body, String... fragments) {
        T e = assertThrows(type, body);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    "message should contain '" + f + "' but was: " + e.getMessage());
        }
        return e;
    }

    public static void assertShape(Tensor t, int... shape) {
        assertEquals(java.util.Arrays.toString(shape), java.util.Arrays.toString(t.shape()));
    }
}
