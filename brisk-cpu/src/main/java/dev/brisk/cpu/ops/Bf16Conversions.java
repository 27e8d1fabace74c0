package dev.brisk.cpu.ops;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.DTypes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 ↔ BF16 on the Vector API, bit-identical to {@link DTypes}: widening shifts the 16 bits into the top of an
 * int; narrowing adds {@code 0x7FFF + lsb} (round to nearest even, carrying into the exponent) and keeps NaNs
 * quiet NaNs. Mixed precision converts every saved activation and every GEMM operand, so these run often.
 */
final class Bf16Conversions {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(
            jdk.incubator.vector.VectorShape.forBitSize(Simd.F.vectorBitSize() / 2));

    private Bf16Conversions() {
    }

    static void toBf16(float[] src, int so, short[] dst, int dOff, int n) {
        int lanes = F.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            IntVector bits = FloatVector.fromArray(F, src, so + i).reinterpretAsInts();
            VectorMask<Integer> nan = bits.and(0x7FFF_FFFF).compare(VectorOperators.GT, 0x7F80_0000);
            IntVector lsb = bits.lanewise(VectorOperators.LSHR, 16).and(1);
            IntVector rounded = bits.add(lsb).add(0x7FFF).lanewise(VectorOperators.LSHR, 16);
            IntVector quiet = bits.lanewise(VectorOperators.LSHR, 16).or(0x0040);
            IntVector out = rounded.blend(quiet, nan);
            ((ShortVector) out.convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = DTypes.floatToBf16(src[so + i]);
        }
    }

    static void fromBf16(short[] src, int so, float[] dst, int dOff, int n) {
        int lanes = F.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            IntVector wide = (IntVector) ShortVector.fromArray(S, src, so + i).convertShape(VectorOperators.S2I, I, 0);
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = DTypes.bf16ToFloat(src[so + i]);
        }
    }
}
