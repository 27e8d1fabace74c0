package dev.brisk.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Rng;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizationTest {

    @Test
    void affineRoundTripErrorIsAtMostHalfAStepInsideTheRange() {
        Random r = new Random(1);
        for (int t = 0; t < 50; t++) {
            float min = -r.nextFloat() * 10;
            float max = r.nextFloat() * 20;
            QParams q = QParams.affine(min, max);
            assertEquals(0f, q.dequantize(q.quantize(0f)), "the real 0 is exact (padding, ReLU)");
            assertTrue(q.min() <= min + q.scale() * 0.5001f && q.max() >= max - q.scale() * 0.5001f,
                    "the range " + q.min() + ".." + q.max() + " covers " + min + ".." + max);
            for (int i = 0; i < 200; i++) {
                float x = min + r.nextFloat() * (max - min);
                float err = Math.abs(q.dequantize(q.quantize(x)) - x);
                assertTrue(err <= q.scale() * 0.5001f + 1e-6f, x + " → error " + err + " > scale/2 " + q.scale() / 2);
            }
            // outside the range: clamped to the nearest end
            assertEquals(QParams.QMAX, q.quantize(max + 100 * q.scale()));
            assertEquals(QParams.QMIN, q.quantize(min - 100 * q.scale()));
        }
    }

    @Test
    void positiveOnlyRangesUseAllCodesFromZero() {
        QParams q = QParams.affine(0f, 6f);
        assertEquals(-128, q.zeroPoint());
        assertEquals(6f / 255, q.scale(), 1e-7);
    }

    @Test
    void perChannelSymmetricWeightsRoundTripWithinHalfTheirChannelsStep() {
        Rng rng = new Rng(2);
        int rows = 7;
        int k = 33;
        float[] w = dev.brisk.tensor.Tensor.randn(rng, rows, k).toFloatArray();
        for (int p = 0; p < k; p++) {
            w[3 * k + p] *= 100; // one channel 100× larger must not cost the others precision
        }
        var q = PostTrainingQuantizer.quantizeRows(w, rows);
        for (int o = 0; o < rows; o++) {
            float max = 0;
            for (int p = 0; p < k; p++) {
                max = Math.max(max, Math.abs(w[o * k + p]));
            }
            assertEquals(max / 127, q.scales()[o], 1e-6 * max);
            for (int p = 0; p < k; p++) {
                float back = q.values()[o * k + p] * q.scales()[o];
                assertTrue(Math.abs(back - w[o * k + p]) <= q.scales()[o] * 0.5001f);
                assertTrue(q.values()[o * k + p] >= -127);
            }
        }
    }

    @Test
    void int8GemmMatchesTheReferenceOnAllShapesAndTails() {
        Random r = new Random(3);
        int[] sizes = {1, 2, 3, 5, 8, 15, 16, 17, 31, 33, 64, 65, 300};
        for (int t = 0; t < 120; t++) {
            int m = sizes[r.nextInt(8)];
            int n = sizes[r.nextInt(sizes.length)];
            int k = sizes[r.nextInt(sizes.length)];
            int aOff = r.nextInt(5);
            int bOff = r.nextInt(5);
            int cOff = r.nextInt(5);
            byte[] a = new byte[aOff + m * k];
            byte[] b = new byte[bOff + n * k];
            r.nextBytes(a);
            r.nextBytes(b);
            if (t % 10 == 0) {
                java.util.Arrays.fill(a, (byte) -128); // the extreme products, −128·−128 = 16384 each
                java.util.Arrays.fill(b, (byte) -128);
            }
            int[] expected = new int[cOff + m * n];
            int[] actual = new int[cOff + m * n];
            Int8GemmReference.gemm(a, aOff, b, bOff, expected, cOff, m, n, k);
            Int8Gemm.gemm(a, aOff, b, bOff, actual, cOff, m, n, k);
            assertArrayEquals(expected, actual, "A·Bᵀ m=" + m + " n=" + n + " k=" + k);
            // the same bytes read as B (K×N): the layout of convolution patches
            Int8GemmReference.gemmNN(a, aOff, b, bOff, expected, cOff, m, n, k);
            Int8Gemm.gemmNN(a, aOff, b, bOff, actual, cOff, m, n, k);
            assertArrayEquals(expected, actual, "A·B m=" + m + " n=" + n + " k=" + k);
        }
    }

    @Test
    void referenceGemmsAreTheDefinition() {
        byte[] a = {1, -2, 3, 4, 5, -6}; // 2×3
        byte[] b = {7, 8, 9, -1, 0, 127}; // 2×3
        int[] c = new int[4];
        Int8GemmReference.gemm(a, 0, b, 0, c, 0, 2, 2, 3);
        assertArrayEquals(new int[] {7 - 16 + 27, -1 + 381, 28 + 40 - 54, -4 - 762}, c);
        byte[] bk = {7, 8, 9, -1, 0, 127}; // 3×2: columns (7, 9, 0) and (8, −1, 127)
        Int8GemmReference.gemmNN(a, 0, bk, 0, c, 0, 2, 2, 3);
        assertArrayEquals(new int[] {7 - 18, 8 + 2 + 381, 28 + 45, 32 - 5 - 762}, c);
    }
}
