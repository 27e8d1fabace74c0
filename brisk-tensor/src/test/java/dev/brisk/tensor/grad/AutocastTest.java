package dev.brisk.tensor.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.Autocast;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Graph;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Conv;
import org.junit.jupiter.api.Test;

/** Autocast: 16-bit matmul/conv results and saved activations, F32 softmax, F32 gradients close to fp32's. */
class AutocastTest {

    /** x (512×256) → linear+relu layers 256, 256, 16 → log-softmax; returns {loss, savedBytes}. */
    private static Object[] mlp(Tensor x, Tensor[] w, DType type) {
        try (var ac = Autocast.enable(type)) {
            Tensor h = x;
            for (Tensor wi : w) {
                h = h.matmul(wi.t()).relu();
            }
            Tensor logp = h.logSoftmax(-1);
            assertEquals(DType.F32, logp.dtype(), "log-softmax runs in F32 under autocast");
            Tensor loss = logp.select(1, 0).mean().neg();
            return new Object[] {loss, Graph.savedActivationBytes(loss)};
        }
    }

    @Test
    void bf16HalvesSavedActivationsAndKeepsGradientsClose() {
        Rng rng = new Rng(1);
        Tensor x = Tensor.randn(rng, 512, 256);
        Tensor[] w32 = new Tensor[3];
        Tensor[] w16 = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            int out = i == 2 ? 16 : 256;
            w32[i] = Tensor.randn(rng, out, 256).mul(0.06f).detach().requiresGrad(true);
            w16[i] = w32[i].copy().detach().requiresGrad(true);
        }
        Object[] full = mlp(x, w32, DType.F32);
        Object[] half = mlp(x, w16, DType.BF16);
        long fullBytes = (Long) full[1];
        long halfBytes = (Long) half[1];
        // every activation halves (the weights stay F32 and are not copied), except that the log-softmax output
        // stays F32 (512 × 16)
        long f32Output = 2L * 512 * 16;
        assertTrue(halfBytes <= fullBytes / 2 + f32Output + 64, // + a few scalars
                "bf16 saved " + halfBytes + " bytes vs fp32 " + fullBytes);
        ((Tensor) full[0]).backward();
        ((Tensor) half[0]).backward();
        assertEquals(((Tensor) full[0]).item(), ((Tensor) half[0]).item(), 0.05);
        for (int i = 0; i < 3; i++) {
            assertEquals(DType.F32, w16[i].grad().dtype(), "master gradients stay F32");
            float[] a = w32[i].grad().toFloatArray();
            float[] b = w16[i].grad().toFloatArray();
            double num = 0;
            double den = 0;
            for (int j = 0; j < a.length; j++) {
                num += (a[j] - b[j]) * (double) (a[j] - b[j]);
                den += (double) a[j] * a[j];
            }
            // bf16 keeps 8 significand bits (0.4% per rounding); three layers of rounded activations and a few
            // flipped ReLUs give a few percent, a broken cast or a missing gradient gives ~100%
            assertTrue(Math.sqrt(num / den) < 0.1, "layer " + i + " relative gradient error " + Math.sqrt(num / den));
        }
    }

    @Test
    void bf16ConvEqualsF32ConvOfTheRoundedInputRoundedOnce() {
        Rng rng = new Rng(3);
        int[][] cases = {{3, 4, 3, 1, 1}, {4, 6, 3, 2, 2}, {8, 5, 1, 1, 1}}; // c, o, k, stride, groups (last: 1×1)
        for (int[] c : cases) {
            Tensor x = Tensor.randn(rng, 3, c[0], 9, 9);
            Tensor xr = x.to(DType.BF16).to(DType.F32);
            Tensor w1 = Tensor.randn(rng, c[1], c[0] / c[4], c[2], c[2]).mul(0.3f).detach().requiresGrad(true);
            Tensor w2 = w1.copy().detach().requiresGrad(true);
            Tensor b1 = Tensor.randn(rng, c[1]).detach().requiresGrad(true);
            Tensor b2 = b1.copy().detach().requiresGrad(true);
            int[] st = {c[3]};
            int[] pad = {c[2] / 2};
            int[] dil = {1};
            Tensor half;
            try (var ac = Autocast.enable(DType.BF16)) {
                half = Conv.conv2d(x, w1, b1, st, pad, dil, c[4]);
            }
            Tensor full = Conv.conv2d(xr, w2, b2, st, pad, dil, c[4]);
            assertEquals(DType.BF16, half.dtype());
            org.junit.jupiter.api.Assertions.assertArrayEquals(full.to(DType.BF16).toFloatArray(),
                    half.toFloatArray(), "case " + java.util.Arrays.toString(c));
            Tensor g = Tensor.randn(rng, full.shape());
            half.mul(g).sum().backward();
            full.mul(g).sum().backward();
            org.junit.jupiter.api.Assertions.assertArrayEquals(w2.grad().toFloatArray(), w1.grad().toFloatArray(),
                    1e-4f, "weight grad, case " + java.util.Arrays.toString(c));
            org.junit.jupiter.api.Assertions.assertArrayEquals(b2.grad().toFloatArray(), b1.grad().toFloatArray(),
                    1e-4f, "bias grad, case " + java.util.Arrays.toString(c));
        }
    }

    @Test
    void convAndMatmulReturn16BitOnlyInsideTheScope() {
        Rng rng = new Rng(2);
        Tensor x = Tensor.randn(rng, 2, 3, 8, 8);
        Tensor w = Tensor.randn(rng, 4, 3, 3, 3);
        try (var ac = Autocast.enable(DType.BF16)) {
            assertEquals(DType.BF16, Conv.conv2d(x, w, null).dtype());
            assertEquals(DType.BF16, x.flatten(1, 3).matmul(Tensor.randn(rng, 192, 5)).dtype());
            try (var off = Autocast.enable(DType.F32)) {
                assertNull(Autocast.active());
                assertEquals(DType.F32, Conv.conv2d(x, w, null).dtype());
            }
            assertEquals(DType.BF16, Autocast.active());
        }
        assertNull(Autocast.active());
        assertEquals(DType.F32, Conv.conv2d(x, w, null).dtype());
    }
}
