package dev.brisk.tensor;

/**
 * Conversions between F32 and the 16-bit float formats, bit-exact with round-to-nearest-even.
 *
 * <p>bfloat16 is the upper half of an IEEE binary32: same exponent range, 8 significand bits. Rounding adds
 * {@code 0x7FFF + lsb} to the bits before truncating, which rounds ties to the even result and carries into the
 * exponent on overflow (so large finite values round to infinity exactly as IEEE requires). NaNs are kept NaN
 * by forcing a quiet-bit, since truncation could otherwise turn a NaN payload into infinity.
 * binary16 conversions use the JDK's {@link Float#floatToFloat16}, which is IEEE round-to-nearest-even
 * including subnormals.
 */
public final class DTypes {

    private DTypes() {
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x0040); // NaN: keep sign and payload top, force quiet
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    public static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }

    public static float f16ToFloat(short h) {
        return Float.float16ToFloat(h);
    }

    /** Converts {@code n} floats to bf16 bits. */
    public static void toBf16(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = floatToBf16(src[srcOff + i]);
        }
    }

    public static void fromBf16(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = bf16ToFloat(src[srcOff + i]);
        }
    }
}
