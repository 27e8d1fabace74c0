package dev.brisk.cpu.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.tensor.DTypes;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector conversions are bit-identical to the scalar definitions, for every bf16 and many floats. */
class Bf16ConversionsTest {

    @Test
    void everyBf16PatternWidensExactly() {
        short[] all = new short[65536 + 7];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] out = new float[all.length + 3];
        Bf16Conversions.fromBf16(all, 0, out, 3, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(Float.floatToRawIntBits(DTypes.bf16ToFloat(all[i])), Float.floatToRawIntBits(out[i + 3]),
                    "bits " + Integer.toHexString(all[i] & 0xFFFF));
        }
    }

    @Test
    void narrowingMatchesTheScalarRoundingIncludingTiesNaNAndOverflow() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[200_003];
        for (int i = 0; i < x.length; i++) {
            int bits = r.nextInt();
            if (i % 3 == 0) {
                bits = (bits & 0xFFFF_0000) | 0x8000; // exact ties
            }
            x[i] = Float.intBitsToFloat(bits);
        }
        x[5] = Float.NaN;
        x[6] = Float.MAX_VALUE;
        x[7] = -Float.MAX_VALUE;
        x[8] = Float.intBitsToFloat(0x7F80_0001); // signalling NaN payload
        short[] out = new short[x.length + 1];
        Bf16Conversions.toBf16(x, 0, out, 1, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(DTypes.floatToBf16(x[i]), out[i + 1], "float bits " + Integer.toHexString(
                    Float.floatToRawIntBits(x[i])));
        }
    }
}
