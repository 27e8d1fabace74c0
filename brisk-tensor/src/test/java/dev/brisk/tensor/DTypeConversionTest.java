package dev.brisk.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * F32 ↔ BF16/F16 conversions against hand-computed bit patterns, an exhaustive widen-narrow round trip over
 * all 65536 patterns, and an independent round-to-nearest-even oracle (nearest representable value found by
 * search over the decoded format, ties to the even pattern) on random floats.
 */
class DTypeConversionTest {

    private static short bf16(int f32Bits) {
        return DTypes.floatToBf16(Float.intBitsToFloat(f32Bits));
    }

    private static short f16(float f) {
        return DTypes.floatToF16(f);
    }

    private static void assertBits(int expected, short actual, String what) {
        assertEquals(String.format("0x%04X", expected), String.format("0x%04X", actual & 0xFFFF), what);
    }

    // ---- bfloat16 -----------------------------------------------------------------------------------------

    @Test
    void bf16ExactValues() {
        assertBits(0x3F80, bf16(0x3F800000), "1.0");
        assertBits(0xC020, bf16(0xC0200000), "-2.5");
        assertBits(0x4049, bf16(0x40490000), "3.140625");
        assertBits(0x0080, bf16(0x00800000), "min normal 2^-126");
        assertBits(0x7F7F, bf16(0x7F7F0000), "largest finite bf16");
    }

    @Test
    void bf16TiesRoundToEven() {
        // 1 + 2^-8 is halfway between 0x3F80 (even) and 0x3F81: stays down
        assertBits(0x3F80, bf16(0x3F808000), "tie below even");
        // halfway between 0x3F81 (odd) and 0x3F82 (even): goes up
        assertBits(0x3F82, bf16(0x3F818000), "tie above odd");
        assertBits(0xBF80, bf16(0xBF808000), "negative tie to even (down in magnitude)");
        assertBits(0xBF82, bf16(0xBF818000), "negative tie to even (up in magnitude)");
    }

    @Test
    void bf16JustAboveAndBelowTies() {
        assertBits(0x3F81, bf16(0x3F808001), "one ulp above the tie rounds up");
        assertBits(0x3F80, bf16(0x3F807FFF), "one ulp below the tie rounds down");
        assertBits(0x3F81, bf16(0x3F817FFF), "below the odd tie rounds down");
        assertBits(0xBF81, bf16(0xBF808001), "negative above tie");
    }

    @Test
    void bf16OverflowAndBinadeCarry() {
        assertBits(0x7F80, bf16(0x7F7FFFFF), "Float.MAX_VALUE rounds to +inf");
        assertBits(0xFF80, bf16(0xFF7FFFFF), "-Float.MAX_VALUE rounds to -inf");
        assertBits(0x7F80, bf16(0x7F7F8000), "tie above the largest finite (odd) goes to inf");
        assertBits(0x7F7F, bf16(0x7F7F7FFF), "just below that tie stays finite");
        assertBits(0x4000, bf16(0x3FFFFFFF), "1.99999988 carries into the next binade (2.0)");
        assertBits(0x4000, bf16(0x3FFF8000), "tie at the top of a binade carries to 2.0");
        assertBits(0x3FFF, bf16(0x3FFF7FFF), "below that tie stays");
    }

    @Test
    void bf16OfF32Subnormals() {
        assertBits(0x0000, bf16(0x00000001), "smallest subnormal rounds to +0");
        assertBits(0x0000, bf16(0x00008000), "subnormal tie to even (0)");
        assertBits(0x0001, bf16(0x00008001), "subnormal above tie");
        assertBits(0x0002, bf16(0x00018000), "subnormal tie to even (2)");
        assertBits(0x0001, bf16(0x00010000), "exact subnormal");
        assertBits(0x0080, bf16(0x007FFFFF), "largest subnormal rounds up into the normals");
        assertBits(0x8080, bf16(0x807FFFFF), "negative largest subnormal");
        assertBits(0x8000, bf16(0x80000001), "negative tiny rounds to -0");
    }

    @Test
    void bf16SignedZeroInfinityNaN() {
        assertBits(0x0000, bf16(0x00000000), "+0");
        assertBits(0x8000, bf16(0x80000000), "-0");
        assertBits(0x7F80, bf16(0x7F800000), "+inf");
        assertBits(0xFF80, bf16(0xFF800000), "-inf");
        for (int nan : new int[] {0x7FC00000, 0x7F800001, 0x7F80FFFF, 0x7FFFFFFF, 0xFF800001, 0xFFC00000, 0x7F810000}) {
            int h = bf16(nan) & 0xFFFF;
            String what = String.format("NaN 0x%08X -> 0x%04X", nan, h);
            assertEquals(0x7F80, h & 0x7F80, what + " exponent all ones");
            assertTrue((h & 0x0040) != 0, what + " must be quiet");
            assertEquals(nan >>> 31, h >>> 15, what + " keeps its sign");
            assertTrue(Float.isNaN(DTypes.bf16ToFloat((short) h)), what);
        }
    }

    @Test
    void bf16WideningIsTheUpperHalf() {
        assertEquals(1.0f, DTypes.bf16ToFloat((short) 0x3F80));
        assertEquals(-2.5f, DTypes.bf16ToFloat((short) 0xC020));
        for (int h = 0; h < 65536; h++) {
            double v = DTypes.bf16ToFloat((short) h);
            double decoded = TestSupport.decodeBf16(h);
            if (Double.isNaN(decoded)) {
                assertTrue(Double.isNaN(v), "pattern " + h);
            } else if (v != decoded || (1 / v) != (1 / decoded)) { // 1/v tells -0 from +0
                fail(String.format("bf16 0x%04X widened to %s, its fields say %s", h, v, decoded));
            }
        }
    }

    @Test
    void bf16RoundTripEveryPattern() {
        for (int h = 0; h < 65536; h++) {
            float f = DTypes.bf16ToFloat((short) h);
            short back = DTypes.floatToBf16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(DTypes.bf16ToFloat(back)), "NaN pattern " + h);
            } else if ((back & 0xFFFF) != h) {
                fail(String.format("bf16 0x%04X -> %s -> 0x%04X", h, f, back & 0xFFFF));
            }
        }
    }

    // ---- binary16 -----------------------------------------------------------------------------------------

    @Test
    void f16ExactValues() {
        assertBits(0x3C00, f16(1f), "1");
        assertBits(0xC000, f16(-2f), "-2");
        assertBits(0x3555, f16(0.333251953125f), "0x3555 = 1365/4096");
        assertBits(0x7BFF, f16(65504f), "largest finite");
        assertBits(0x0400, f16(0x1p-14f), "min normal");
        assertBits(0x03FF, f16(1023 * 0x1p-24f), "largest subnormal");
    }

    @Test
    void f16TiesRoundToEven() {
        assertBits(0x3C00, f16(Float.intBitsToFloat(0x3F801000)), "1 + 2^-11: tie to even 0x3C00");
        assertBits(0x3C02, f16(Float.intBitsToFloat(0x3F803000)), "1 + 3·2^-11: tie to even 0x3C02");
        assertBits(0xBC02, f16(Float.intBitsToFloat(0xBF803000)), "negative tie");
        assertBits(0x3C01, f16(Float.intBitsToFloat(0x3F801001)), "just above the tie");
        assertBits(0x3C00, f16(Float.intBitsToFloat(0x3F800FFF)), "just below the tie");
        assertBits(0x3C01, f16(Float.intBitsToFloat(0x3F802FFF)), "just below the odd tie");
    }

    @Test
    void f16OverflowAndBinadeCarry() {
        assertBits(0x7C00, f16(65520f), "65520 = max + half ulp: tie to even is inf");
        assertBits(0x7BFF, f16(Math.nextDown(65520f)), "just below that tie stays finite");
        assertBits(0xFC00, f16(-65520f), "negative overflow");
        assertBits(0x7C00, f16(Float.MAX_VALUE), "Float.MAX_VALUE");
        assertBits(0x6800, f16(2047.5f), "2047.5: tie with odd 2047 carries to 2048");
        assertBits(0x67FF, f16(2047.25f), "2047.25 rounds down to 2047");
        assertBits(0x0400, f16(1023.5f * 0x1p-24f), "largest subnormal + half ulp carries into the normals");
    }

    @Test
    void f16Subnormals() {
        assertBits(0x0001, f16(0x1p-24f), "2^-24 is the smallest subnormal");
        assertBits(0x0000, f16(0x1p-25f), "2^-25 is a tie with 0 (even)");
        assertBits(0x0001, f16(Math.nextUp(0x1p-25f)), "just above 2^-25");
        assertBits(0x0001, f16(3 * 0x1p-26f), "3·2^-26 = 0.75·2^-24 rounds up");
        assertBits(0x0002, f16(3 * 0x1p-25f), "1.5·2^-24: tie to even 2");
        assertBits(0x0002, f16(5 * 0x1p-25f), "2.5·2^-24: tie to even 2");
        assertBits(0x0000, f16(0x1p-26f), "2^-26 underflows to 0");
        assertBits(0x8001, f16(-0x1p-24f), "negative subnormal");
        assertBits(0x8000, f16(-0x1p-26f), "negative underflow keeps the sign");
    }

    @Test
    void f16SignedZeroInfinityNaN() {
        assertBits(0x0000, f16(0f), "+0");
        assertBits(0x8000, f16(-0f), "-0");
        assertBits(0x7C00, f16(Float.POSITIVE_INFINITY), "+inf");
        assertBits(0xFC00, f16(Float.NEGATIVE_INFINITY), "-inf");
        for (int nan : new int[] {0x7FC00000, 0x7F800001, 0x7FFFFFFF, 0xFF800001}) {
            int h = f16(Float.intBitsToFloat(nan)) & 0xFFFF;
            String what = String.format("NaN 0x%08X -> 0x%04X", nan, h);
            assertEquals(0x7C00, h & 0x7C00, what);
            assertTrue((h & 0x0200) != 0, what + " must be quiet");
            assertEquals(nan >>> 31, h >>> 15, what + " keeps its sign");
        }
    }

    @Test
    void f16WideningMatchesFieldDecoding() {
        for (int h = 0; h < 65536; h++) {
            double v = DTypes.f16ToFloat((short) h);
            double decoded = TestSupport.decodeF16(h);
            if (Double.isNaN(decoded)) {
                assertTrue(Double.isNaN(v), "pattern " + h);
            } else if (v != decoded || (1 / v) != (1 / decoded)) {
                fail(String.format("f16 0x%04X widened to %s, its fields say %s", h, v, decoded));
            }
        }
    }

    @Test
    void f16RoundTripEveryPattern() {
        for (int h = 0; h < 65536; h++) {
            float f = DTypes.f16ToFloat((short) h);
            short back = DTypes.floatToF16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(DTypes.f16ToFloat(back)), "NaN pattern " + h);
            } else if ((back & 0xFFFF) != h) {
                fail(String.format("f16 0x%04X -> %s -> 0x%04X", h, f, back & 0xFFFF));
            }
        }
    }

    // ---- independent oracle on random floats --------------------------------------------------------------

    /**
     * Round-to-nearest-even by search: {@code values[p]} is the (non-negative, increasing) value of pattern p;
     * {@code overflow} is the magnitude from which the result is infinity (largest finite + half an ulp, a tie
     * that goes to the even "next" pattern, i.e. infinity).
     */
    private static int nearestEven(double x, double[] values, double overflow, int infBits, int signShift) {
        int sign = x < 0 || (x == 0 && 1 / x < 0) ? 1 : 0;
        double a = Math.abs(x);
        int mag;
        if (a >= overflow) {
            mag = infBits;
        } else {
            int lo = 0;
            int hi = values.length - 1;
            while (hi - lo > 1) { // values[lo] <= a < values[hi] once narrowed
                int mid = (lo + hi) >>> 1;
                if (values[mid] <= a) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            if (a >= values[hi]) {
                lo = hi;
            }
            if (lo == values.length - 1 || a == values[lo]) {
                mag = lo;
            } else {
                double dLo = a - values[lo];
                double dHi = values[lo + 1] - a;
                mag = dLo < dHi ? lo : dHi < dLo ? lo + 1 : ((lo & 1) == 0 ? lo : lo + 1);
            }
        }
        return (sign << signShift) | mag;
    }

    @Test
    void randomFloatsMatchTheSearchOracle() {
        double[] bf = new double[0x7F80]; // finite non-negative bf16 patterns 0x0000..0x7F7F
        for (int p = 0; p < bf.length; p++) {
            bf[p] = TestSupport.decodeBf16(p);
        }
        double[] hf = new double[0x7C00]; // finite non-negative f16 patterns 0x0000..0x7BFF
        for (int p = 0; p < hf.length; p++) {
            hf[p] = TestSupport.decodeF16(p);
        }
        double bfOverflow = bf[bf.length - 1] + Math.pow(2, 127 - 8);
        double hfOverflow = 65504 + 16;
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 300_000; i++) {
            float f;
            if (i % 3 == 0) {
                f = Float.intBitsToFloat(r.nextInt()); // every binade, subnormals included
            } else {
                // magnitudes where f16 is interesting: subnormals to overflow
                f = (float) ((r.nextBoolean() ? 1 : -1) * Math.pow(2, -27 + 44 * r.nextDouble()));
            }
            if (Float.isNaN(f)) {
                continue;
            }
            int wantBf = nearestEven(f, bf, bfOverflow, 0x7F80, 15);
            int gotBf = DTypes.floatToBf16(f) & 0xFFFF;
            if (wantBf != gotBf) {
                fail(String.format("bf16(%s = 0x%08X): oracle 0x%04X, got 0x%04X", f, Float.floatToRawIntBits(f),
                        wantBf, gotBf));
            }
            int wantHf = nearestEven(f, hf, hfOverflow, 0x7C00, 15);
            int gotHf = DTypes.floatToF16(f) & 0xFFFF;
            if (wantHf != gotHf) {
                fail(String.format("f16(%s = 0x%08X): oracle 0x%04X, got 0x%04X", f, Float.floatToRawIntBits(f),
                        wantHf, gotHf));
            }
        }
    }

    @Test
    void bulkBf16HelpersMatchScalar() {
        float[] src = {1f, 0x1.01p0f, -3.5f, Float.NaN, 1e-40f};
        short[] dst = new short[7];
        DTypes.toBf16(src, 1, dst, 2, 3);
        assertBits(0x3F80, dst[2], "1 + 2^-8 ties to 1.0");
        assertBits(0xC060, dst[3], "-3.5");
        assertTrue(Float.isNaN(DTypes.bf16ToFloat(dst[4])));
        assertEquals(0, dst[0]);
        assertEquals(0, dst[5]);
        float[] back = new float[4];
        DTypes.fromBf16(new short[] {0x3F80, (short) 0xC060}, 0, back, 1, 2);
        assertEquals(0f, back[0]);
        assertEquals(1f, back[1]);
        assertEquals(-3.5f, back[2]);
        assertEquals(0f, back[3]);
    }

    @Test
    void tensorConversionUsesTheSameRounding() {
        float[] v = {Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), 65520f, 0x1p-25f, -0f};
        Tensor t = Tensor.of(v, 5);
        short[] b = t.to(DType.BF16).storage().shorts();
        assertBits(0x3F80, b[0], "bf16 tensor tie down");
        assertBits(0x3F82, b[1], "bf16 tensor tie up");
        short[] h = t.to(DType.F16).storage().shorts();
        assertBits(0x7C00, h[2], "f16 tensor overflow");
        assertBits(0x0000, h[3], "f16 tensor subnormal tie");
        assertBits(0x8000, h[4], "f16 tensor -0");
        // F16 -> BF16 goes through F32 exactly, then rounds once: 1 + 2^-8 + 2^-10 is representable in f16
        // and rounds to bf16 0x3F81 (above the tie)
        Tensor half = Tensor.of(new float[] {1f + 0x1p-8f + 0x1p-10f}, 1).to(DType.F16);
        assertBits(0x3F81, half.to(DType.BF16).storage().shorts()[0], "f16 -> bf16");
    }
}
