package dev.brisk.cpu;

import java.util.Optional;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The one place that picks the SIMD species every cpu kernel uses. */
public final class Simd {

    /** The widest float species this CPU runs natively (16 lanes with AVX-512, 8 with AVX2). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Simd() {
    }

    static Optional<String> unavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Optional.of("the JVM was started without --add-modules jdk.incubator.vector");
        }
        return Optional.empty();
    }

    /** E.g. "512-bit SIMD, 16 float lanes". */
    public static String describe() {
        return F.vectorBitSize() + "-bit SIMD, " + F.length() + " float lanes";
    }
}
