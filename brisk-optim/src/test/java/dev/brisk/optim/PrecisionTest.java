package dev.brisk.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The precision policy's casts: bit patterns of fp32 → bf16 against an independent nearest-even rounding (ties,
 * NaN, ±Inf, overflow, subnormals), fp16 exhaustively over all 65 536 patterns, and gradients flowing back F32.
 */
class PrecisionTest {

    /** Independent bf16 rounding: the two bf16 neighbours by truncation, pick the nearer, ties to even. */
    private static int bf16Oracle(float f) {
        if (Float.isNaN(f)) {
            return -1;
        }
        int bits = Float.floatToRawIntBits(f);
        int down = bits >>> 16;                    // truncated toward zero in magnitude
        int up = down + 1;                         // next magnitude (may carry into the exponent / reach inf)
        double lo = Math.abs(Float.intBitsToFloat(down << 16));
        double hi = Math.abs(Float.intBitsToFloat(up << 16));   // 0x7F80 is inf: any value past max rounds there
        double a = Math.abs((double) f);
        if ((bits & 0xFFFF) == 0) {
            return down;
        }
        if ((down & 0x7FFF) == 0x7F7F && a >= 0x1.FFp127) {
            return up;  // at or past the midpoint between bf16 max and 2^128: IEEE rounds to inf
        }
        double dl = a - lo;
        double dh = hi - a;
        if (dl < dh) {
            return down;
        }
        if (dh < dl) {
            return up;
        }
        return (down & 1) == 0 ? down : up;
    }

    private static short castBf16(float f) {
        return Precision.BF16.castForCompute(Tensor.of(new float[] {f}, 1)).storage().shorts()[0];
    }

    @Test
    void bf16RoundsToNearestEvenWithSpecialCases() {
        float[] special = {
            Float.intBitsToFloat(0x3F808000),   // tie, even below: 0x3F80
            Float.intBitsToFloat(0x3F818000),   // tie, odd below: 0x3F82
            Float.intBitsToFloat(0x3F808001),   // just above the tie: up
            Float.intBitsToFloat(0x00008000),   // subnormal tie: 0
            Float.intBitsToFloat(0x00018000),   // subnormal tie: 2
            Float.intBitsToFloat(0x807FFFFF),   // largest negative subnormal: rounds up to −min normal
            Float.MAX_VALUE,                    // rounds to +inf
            -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 1f, -1.00390625f,
        };
        int[] expected = {0x3F80, 0x3F82, 0x3F81, 0x0000, 0x0002, 0x8080, 0x7F80, 0x8000, 0x0000, 0x7F80, 0xFF80,
            0x0000, 0x3F80, 0xBF80};
        for (int i = 0; i < special.length; i++) {
            assertEquals(expected[i], castBf16(special[i]) & 0xFFFF, "bf16 of " + special[i]);
            assertEquals(expected[i], bf16Oracle(special[i]), "oracle of " + special[i]);
        }
        short nan = castBf16(Float.intBitsToFloat(0x7F800001));   // a NaN whose payload truncation would lose
        assertTrue(Float.isNaN(Float.intBitsToFloat((nan & 0xFFFF) << 16)), "NaN must stay NaN");
        SplittableRandom r = new SplittableRandom(7);
        float[] many = new float[200_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = Float.intBitsToFloat(r.nextInt());
        }
        short[] got = Precision.BF16.castForCompute(Tensor.of(many, many.length)).storage().shorts();
        for (int i = 0; i < many.length; i++) {
            int want = bf16Oracle(many[i]);
            if (want < 0) {
                assertTrue(Float.isNaN(Float.intBitsToFloat((got[i] & 0xFFFF) << 16)));
            } else {
                assertEquals(want, got[i] & 0xFFFF, "bf16 of bits 0x" + Integer.toHexString(Float.floatToRawIntBits(
                        many[i])));
            }
        }
    }

    /** IEEE binary16 decoded by hand. */
    private static double f16Value(int h) {
        double sign = (h >>> 15) == 1 ? -1.0 : 1.0;
        int exp = (h >>> 10) & 0x1F;
        int man = h & 0x3FF;
        if (exp == 0x1F) {
            return man == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        return exp == 0 ? sign * (man * 0x1p-24) : sign * ((1024 + man) * Math.pow(2, exp - 25));
    }

    @Test
    void fp16ExhaustiveOverAllPatterns() {
        float[] values = new float[65536];
        for (int h = 0; h < 65536; h++) {
            values[h] = (float) f16Value(h);
        }
        short[] back = Precision.FP16.castForCompute(Tensor.of(values, 65536)).storage().shorts();
        float[] widened = Precision.FP16.castForCompute(Tensor.of(values, 65536)).to(DType.F32).toFloatArray();
        for (int h = 0; h < 65536; h++) {
            if (Float.isNaN(values[h])) {
                assertTrue(Float.isNaN(widened[h]), "NaN pattern 0x" + Integer.toHexString(h));
                continue;
            }
            assertEquals(h, back[h] & 0xFFFF, "round trip of 0x" + Integer.toHexString(h));
            assertEquals(values[h], widened[h]);
        }
        // every midpoint between neighbouring finite halves rounds to the even one; just off it, to the nearer
        float[] mids = new float[3 * 0x7BFF];
        for (int h = 0; h < 0x7BFF; h++) {
            float mid = (float) ((f16Value(h) + f16Value(h + 1)) / 2);   // exact in fp32 (12 significant bits)
            mids[3 * h] = mid;
            mids[3 * h + 1] = Math.nextDown(mid);
            mids[3 * h + 2] = Math.nextUp(mid);
        }
        short[] r = Precision.FP16.castForCompute(Tensor.of(mids, mids.length)).storage().shorts();
        for (int h = 0; h < 0x7BFF; h++) {
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, r[3 * h] & 0xFFFF, "tie above 0x" + Integer.toHexString(h));
            assertEquals(h, r[3 * h + 1] & 0xFFFF, "below the tie above 0x" + Integer.toHexString(h));
            assertEquals(h + 1, r[3 * h + 2] & 0xFFFF, "above the tie above 0x" + Integer.toHexString(h));
        }
        // past the midpoint between max (65504) and 65536: infinity
        short[] big = Precision.FP16.castForCompute(Tensor.of(new float[] {65519.99f, 65520f}, 2)).storage().shorts();
        assertEquals(0x7BFF, big[0] & 0xFFFF);
        assertEquals(0x7C00, big[1] & 0xFFFF);
    }

    @Test
    void castsAreDifferentiableAndGradientsStayF32() {
        Tensor x = Tensor.of(new float[] {1.00390625f, 2, -3, 0.5f, 1, 1}, 2, 3);
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
        for (Precision p : Precision.values()) {
            w.zeroGrad();
            Tensor xc = p.castForCompute(x);
            Tensor y = xc.matmul(p.castForCompute(w));
            assertEquals(p.computeType(), y.dtype(), p + " matmul output");
            assertEquals(p == Precision.FP32 ? 24 : 12, xc.storage().byteSize(), p + " saved operand bytes");
            p.castToFp32(y).sum().backward();
            assertEquals(DType.F32, w.grad().dtype());
            // dL/dw[k][j] = Σ_i x[i][k]: bf16 rounds 1.00390625 (= 1 + 2^-8) to 1; fp16 keeps it
            float x00 = p == Precision.BF16 ? 1f : 1.00390625f;
            assertEquals(x00 + 0.5f, w.grad().getFloat(0, 0), 0, p.toString());
            assertEquals(3f, w.grad().getFloat(1, 1), 0, p.toString());
        }
        assertSame(x, Precision.FP32.castForCompute(x));
        assertEquals(Precision.BF16, Precision.parse("BF16"));
        assertEquals(Precision.FP16, Precision.parse(" fp16 "));
        var e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
        assertEquals("unknown precision 'fp8'; use fp32, bf16 or fp16", e.getMessage());
    }
}
