package dev.brisk.cpu.norm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.cpu.ops.VectorCausalSoftmax;
import dev.brisk.tensor.backend.SoftmaxKernels;
import dev.brisk.tensor.reference.ReferenceBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API attention softmax (forward and backward, causal or not) against the scalar double default of
 * {@link SoftmaxKernels}, on shapes around the vector width and past the parallel threshold; and masked scores
 * are never read (a NaN in the future stays out of the past). Lives with the norm tests, which this task owns.
 */
class VectorCausalSoftmaxTest {

    private static final SoftmaxKernels REF = new ReferenceBackend().softmax().orElseThrow();

    private static float[] data(long seed, int n, double spread) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (spread * r.nextGaussian());
        }
        return a;
    }

    @Test
    void matchesTheScalarDefault() {
        int[][] shapes = {{1, 1, 1}, {2, 3, 5}, {3, 15, 15}, {2, 17, 17}, {1, 33, 40}, {4, 64, 64}, {16, 64, 64},
            {2, 40, 7}, {1, 129, 129}};
        for (int[] s : shapes) {
            int batch = s[0];
            int rows = s[1];
            int cols = s[2];
            int size = batch * rows * cols;
            for (boolean causal : new boolean[] {false, true}) {
                String at = batch + "x" + rows + "x" + cols + (causal ? " causal" : "");
                float[] x = data(size, 3 + size, 4);
                float[] g = data(size + 1, 1 + size, 1);
                float[][] y = new float[2][2 + size];
                REF.attentionSoftmax(x, 3, batch, rows, cols, 0.35f, causal, y[0], 2);
                VectorCausalSoftmax.forward(x, 3, batch, rows, cols, 0.35f, causal, y[1], 2);
                assertClose(at + " forward", y[0], y[1], 1e-5, 1e-7);
                float[][] dx = new float[2][size];
                REF.attentionSoftmaxBackward(y[0], 2, g, 1, batch, rows, cols, 0.35f, causal, dx[0], 0);
                VectorCausalSoftmax.backward(y[0], 2, g, 1, batch, rows, cols, 0.35f, causal, dx[1], 0);
                assertClose(at + " backward", dx[0], dx[1], 1e-5, 1e-6);
                // in place, as Attention uses it
                float[] inPlace = x.clone();
                VectorCausalSoftmax.forward(inPlace, 3, batch, rows, cols, 0.35f, causal, inPlace, 3);
                for (int i = 0; i < size; i++) {
                    assertEquals(y[1][2 + i], inPlace[3 + i], 1e-6 * y[1][2 + i], at + " in place");
                }
            }
        }
    }

    @Test
    void maskedScoresAreNeverRead() {
        int rows = 20;
        int cols = 20;
        float[] x = data(1, rows * cols, 1);
        for (int i = 0; i < rows; i++) {
            for (int j = i + 1; j < cols; j++) {
                x[i * cols + j] = Float.NaN;
            }
        }
        float[] y = new float[rows * cols];
        VectorCausalSoftmax.forward(x, 0, 1, rows, cols, 1f, true, y, 0);
        float[] g = y.clone();
        for (int i = 0; i < y.length; i++) {
            assertTrue(Float.isFinite(y[i]), "element " + i + " is " + y[i]);
            if (y[i] == 0) {
                g[i] = Float.NaN;   // masked output gradients must not be read either
            }
        }
        float[] dx = new float[rows * cols];
        VectorCausalSoftmax.backward(y, 0, g, 0, 1, rows, cols, 1f, true, dx, 0);
        for (int i = 0; i < dx.length; i++) {
            assertTrue(Float.isFinite(dx[i]), "gradient element " + i + " is " + dx[i]);
        }
    }

    private static void assertClose(String what, float[] ref, float[] vec, double rtol, double atol) {
        for (int i = 0; i < ref.length; i++) {
            assertTrue(Math.abs(vec[i] - ref[i]) <= atol + rtol * Math.abs(ref[i]),
                    what + " element " + i + ": reference " + ref[i] + ", vector " + vec[i]);
        }
    }
}
