package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.F;

import jdk.incubator.vector.FloatVector;

/**
 * In-register 16 x 16 transposes for the strided packing paths (A stored (m, k), B-transposed stored (n, k)).
 *
 * <pre>
 *   in:  rows r = 0..15 of src, 16 consecutive floats each: x_r[l] = src[base + r*ld + l]   (x_r = 0 for r >= rows)
 *   out: dst[d + t*ds + r] = scale * x_r[t]                                                 t = 0..15
 * </pre>
 *
 * Four stages, each swapping the off-diagonal blocks of every 2h x 2h block with two-vector permutes
 * ({@code selectFrom(v1, v2)}, one vpermt2ps each): 64 permutes per 256 floats. Reading 16 whole cache lines
 * instead of gathering one float from each of 16 rows per step is what makes this several times faster than
 * a gather, most of all when the row stride is a multiple of 4 KB and every row maps to the same cache set.
 * The stores go out in increasing t, so a panel narrower than 16 ({@code ds = MR = 12}) spills into the next
 * step's slots before they are written (see {@link Pack}). Only for 16-lane species; callers fall back to
 * gathers otherwise. bf16 rows are widened into a staging buffer first ({@link PackBf16}). Generated code: edit
 * the pattern, not single lines.
 */
final class Transpose {

    static final boolean AVAILABLE = F.length() == 16;
    private static final FloatVector Z = FloatVector.zero(F);
    private static final FloatVector LO8 = index(8, false), HI8 = index(8, true);
    private static final FloatVector LO4 = index(4, false), HI4 = index(4, true);
    private static final FloatVector LO2 = index(2, false), HI2 = index(2, true);
    private static final FloatVector LO1 = index(1, false), HI1 = index(1, true);

    private Transpose() {
    }

    /** Lane l of the low (high) result of a stage: {@code (l & h) == 0} picks from the first vector. */
    private static FloatVector index(int h, boolean high) {
        int n = F.length();
        float[] idx = new float[n];
        for (int l = 0; l < n; l++) {
            idx[l] = (l & h) == 0 ? (high ? l + h : l) : (high ? l + n : l - h + n);
        }
        return FloatVector.fromArray(F, idx, 0);
    }

    /**
     * The unscaled transpose (the B panels, and A when alpha = 1). Kept apart from {@link #f32Scaled}: with the
     * 16 scalar multiplies the method grew past what C2 inlines in one compilation, and the multiplies were left
     * as calls into the Vector API's Java fallback (measured: most of the packing time of the transformer's
     * backward GEMMs).
     */
    static void f32(float[] src, int base, int ld, int rows, float[] dst, int d, int ds) {
        FloatVector t;
        FloatVector x0 = 0 < rows ? FloatVector.fromArray(F, src, base + 0 * ld) : Z;
        FloatVector x1 = 1 < rows ? FloatVector.fromArray(F, src, base + 1 * ld) : Z;
        FloatVector x2 = 2 < rows ? FloatVector.fromArray(F, src, base + 2 * ld) : Z;
        FloatVector x3 = 3 < rows ? FloatVector.fromArray(F, src, base + 3 * ld) : Z;
        FloatVector x4 = 4 < rows ? FloatVector.fromArray(F, src, base + 4 * ld) : Z;
        FloatVector x5 = 5 < rows ? FloatVector.fromArray(F, src, base + 5 * ld) : Z;
        FloatVector x6 = 6 < rows ? FloatVector.fromArray(F, src, base + 6 * ld) : Z;
        FloatVector x7 = 7 < rows ? FloatVector.fromArray(F, src, base + 7 * ld) : Z;
        FloatVector x8 = 8 < rows ? FloatVector.fromArray(F, src, base + 8 * ld) : Z;
        FloatVector x9 = 9 < rows ? FloatVector.fromArray(F, src, base + 9 * ld) : Z;
        FloatVector x10 = 10 < rows ? FloatVector.fromArray(F, src, base + 10 * ld) : Z;
        FloatVector x11 = 11 < rows ? FloatVector.fromArray(F, src, base + 11 * ld) : Z;
        FloatVector x12 = 12 < rows ? FloatVector.fromArray(F, src, base + 12 * ld) : Z;
        FloatVector x13 = 13 < rows ? FloatVector.fromArray(F, src, base + 13 * ld) : Z;
        FloatVector x14 = 14 < rows ? FloatVector.fromArray(F, src, base + 14 * ld) : Z;
        FloatVector x15 = 15 < rows ? FloatVector.fromArray(F, src, base + 15 * ld) : Z;
        // stage 1: swap the off-diagonal 8 x 8 blocks
        t = LO8.selectFrom(x0, x8); x8 = HI8.selectFrom(x0, x8); x0 = t;
        t = LO8.selectFrom(x1, x9); x9 = HI8.selectFrom(x1, x9); x1 = t;
        t = LO8.selectFrom(x2, x10); x10 = HI8.selectFrom(x2, x10); x2 = t;
        t = LO8.selectFrom(x3, x11); x11 = HI8.selectFrom(x3, x11); x3 = t;
        t = LO8.selectFrom(x4, x12); x12 = HI8.selectFrom(x4, x12); x4 = t;
        t = LO8.selectFrom(x5, x13); x13 = HI8.selectFrom(x5, x13); x5 = t;
        t = LO8.selectFrom(x6, x14); x14 = HI8.selectFrom(x6, x14); x6 = t;
        t = LO8.selectFrom(x7, x15); x15 = HI8.selectFrom(x7, x15); x7 = t;
        // stage 2: swap the off-diagonal 4 x 4 blocks
        t = LO4.selectFrom(x0, x4); x4 = HI4.selectFrom(x0, x4); x0 = t;
        t = LO4.selectFrom(x1, x5); x5 = HI4.selectFrom(x1, x5); x1 = t;
        t = LO4.selectFrom(x2, x6); x6 = HI4.selectFrom(x2, x6); x2 = t;
        t = LO4.selectFrom(x3, x7); x7 = HI4.selectFrom(x3, x7); x3 = t;
        t = LO4.selectFrom(x8, x12); x12 = HI4.selectFrom(x8, x12); x8 = t;
        t = LO4.selectFrom(x9, x13); x13 = HI4.selectFrom(x9, x13); x9 = t;
        t = LO4.selectFrom(x10, x14); x14 = HI4.selectFrom(x10, x14); x10 = t;
        t = LO4.selectFrom(x11, x15); x15 = HI4.selectFrom(x11, x15); x11 = t;
        // stage 3: swap the off-diagonal 2 x 2 blocks
        t = LO2.selectFrom(x0, x2); x2 = HI2.selectFrom(x0, x2); x0 = t;
        t = LO2.selectFrom(x1, x3); x3 = HI2.selectFrom(x1, x3); x1 = t;
        t = LO2.selectFrom(x4, x6); x6 = HI2.selectFrom(x4, x6); x4 = t;
        t = LO2.selectFrom(x5, x7); x7 = HI2.selectFrom(x5, x7); x5 = t;
        t = LO2.selectFrom(x8, x10); x10 = HI2.selectFrom(x8, x10); x8 = t;
        t = LO2.selectFrom(x9, x11); x11 = HI2.selectFrom(x9, x11); x9 = t;
        t = LO2.selectFrom(x12, x14); x14 = HI2.selectFrom(x12, x14); x12 = t;
        t = LO2.selectFrom(x13, x15); x15 = HI2.selectFrom(x13, x15); x13 = t;
        // stage 4: swap the off-diagonal 1 x 1 blocks
        t = LO1.selectFrom(x0, x1); x1 = HI1.selectFrom(x0, x1); x0 = t;
        t = LO1.selectFrom(x2, x3); x3 = HI1.selectFrom(x2, x3); x2 = t;
        t = LO1.selectFrom(x4, x5); x5 = HI1.selectFrom(x4, x5); x4 = t;
        t = LO1.selectFrom(x6, x7); x7 = HI1.selectFrom(x6, x7); x6 = t;
        t = LO1.selectFrom(x8, x9); x9 = HI1.selectFrom(x8, x9); x8 = t;
        t = LO1.selectFrom(x10, x11); x11 = HI1.selectFrom(x10, x11); x10 = t;
        t = LO1.selectFrom(x12, x13); x13 = HI1.selectFrom(x12, x13); x12 = t;
        t = LO1.selectFrom(x14, x15); x15 = HI1.selectFrom(x14, x15); x14 = t;
        x0.intoArray(dst, d + 0 * ds);
        x1.intoArray(dst, d + 1 * ds);
        x2.intoArray(dst, d + 2 * ds);
        x3.intoArray(dst, d + 3 * ds);
        x4.intoArray(dst, d + 4 * ds);
        x5.intoArray(dst, d + 5 * ds);
        x6.intoArray(dst, d + 6 * ds);
        x7.intoArray(dst, d + 7 * ds);
        x8.intoArray(dst, d + 8 * ds);
        x9.intoArray(dst, d + 9 * ds);
        x10.intoArray(dst, d + 10 * ds);
        x11.intoArray(dst, d + 11 * ds);
        x12.intoArray(dst, d + 12 * ds);
        x13.intoArray(dst, d + 13 * ds);
        x14.intoArray(dst, d + 14 * ds);
        x15.intoArray(dst, d + 15 * ds);
    }

    /** dst = scale · transpose, for A panels with alpha ≠ 1. */
    static void f32Scaled(float[] src, int base, int ld, int rows, float scale, float[] dst, int d, int ds) {
        FloatVector t;
        FloatVector x0 = 0 < rows ? FloatVector.fromArray(F, src, base + 0 * ld).mul(scale) : Z;
        FloatVector x1 = 1 < rows ? FloatVector.fromArray(F, src, base + 1 * ld).mul(scale) : Z;
        FloatVector x2 = 2 < rows ? FloatVector.fromArray(F, src, base + 2 * ld).mul(scale) : Z;
        FloatVector x3 = 3 < rows ? FloatVector.fromArray(F, src, base + 3 * ld).mul(scale) : Z;
        FloatVector x4 = 4 < rows ? FloatVector.fromArray(F, src, base + 4 * ld).mul(scale) : Z;
        FloatVector x5 = 5 < rows ? FloatVector.fromArray(F, src, base + 5 * ld).mul(scale) : Z;
        FloatVector x6 = 6 < rows ? FloatVector.fromArray(F, src, base + 6 * ld).mul(scale) : Z;
        FloatVector x7 = 7 < rows ? FloatVector.fromArray(F, src, base + 7 * ld).mul(scale) : Z;
        FloatVector x8 = 8 < rows ? FloatVector.fromArray(F, src, base + 8 * ld).mul(scale) : Z;
        FloatVector x9 = 9 < rows ? FloatVector.fromArray(F, src, base + 9 * ld).mul(scale) : Z;
        FloatVector x10 = 10 < rows ? FloatVector.fromArray(F, src, base + 10 * ld).mul(scale) : Z;
        FloatVector x11 = 11 < rows ? FloatVector.fromArray(F, src, base + 11 * ld).mul(scale) : Z;
        FloatVector x12 = 12 < rows ? FloatVector.fromArray(F, src, base + 12 * ld).mul(scale) : Z;
        FloatVector x13 = 13 < rows ? FloatVector.fromArray(F, src, base + 13 * ld).mul(scale) : Z;
        FloatVector x14 = 14 < rows ? FloatVector.fromArray(F, src, base + 14 * ld).mul(scale) : Z;
        FloatVector x15 = 15 < rows ? FloatVector.fromArray(F, src, base + 15 * ld).mul(scale) : Z;
        // stage 1: swap the off-diagonal 8 x 8 blocks
        t = LO8.selectFrom(x0, x8); x8 = HI8.selectFrom(x0, x8); x0 = t;
        t = LO8.selectFrom(x1, x9); x9 = HI8.selectFrom(x1, x9); x1 = t;
        t = LO8.selectFrom(x2, x10); x10 = HI8.selectFrom(x2, x10); x2 = t;
        t = LO8.selectFrom(x3, x11); x11 = HI8.selectFrom(x3, x11); x3 = t;
        t = LO8.selectFrom(x4, x12); x12 = HI8.selectFrom(x4, x12); x4 = t;
        t = LO8.selectFrom(x5, x13); x13 = HI8.selectFrom(x5, x13); x5 = t;
        t = LO8.selectFrom(x6, x14); x14 = HI8.selectFrom(x6, x14); x6 = t;
        t = LO8.selectFrom(x7, x15); x15 = HI8.selectFrom(x7, x15); x7 = t;
        // stage 2: swap the off-diagonal 4 x 4 blocks
        t = LO4.selectFrom(x0, x4); x4 = HI4.selectFrom(x0, x4); x0 = t;
        t = LO4.selectFrom(x1, x5); x5 = HI4.selectFrom(x1, x5); x1 = t;
        t = LO4.selectFrom(x2, x6); x6 = HI4.selectFrom(x2, x6); x2 = t;
        t = LO4.selectFrom(x3, x7); x7 = HI4.selectFrom(x3, x7); x3 = t;
        t = LO4.selectFrom(x8, x12); x12 = HI4.selectFrom(x8, x12); x8 = t;
        t = LO4.selectFrom(x9, x13); x13 = HI4.selectFrom(x9, x13); x9 = t;
        t = LO4.selectFrom(x10, x14); x14 = HI4.selectFrom(x10, x14); x10 = t;
        t = LO4.selectFrom(x11, x15); x15 = HI4.selectFrom(x11, x15); x11 = t;
        // stage 3: swap the off-diagonal 2 x 2 blocks
        t = LO2.selectFrom(x0, x2); x2 = HI2.selectFrom(x0, x2); x0 = t;
        t = LO2.selectFrom(x1, x3); x3 = HI2.selectFrom(x1, x3); x1 = t;
        t = LO2.selectFrom(x4, x6); x6 = HI2.selectFrom(x4, x6); x4 = t;
        t = LO2.selectFrom(x5, x7); x7 = HI2.selectFrom(x5, x7); x5 = t;
        t = LO2.selectFrom(x8, x10); x10 = HI2.selectFrom(x8, x10); x8 = t;
        t = LO2.selectFrom(x9, x11); x11 = HI2.selectFrom(x9, x11); x9 = t;
        t = LO2.selectFrom(x12, x14); x14 = HI2.selectFrom(x12, x14); x12 = t;
        t = LO2.selectFrom(x13, x15); x15 = HI2.selectFrom(x13, x15); x13 = t;
        // stage 4: swap the off-diagonal 1 x 1 blocks
        t = LO1.selectFrom(x0, x1); x1 = HI1.selectFrom(x0, x1); x0 = t;
        t = LO1.selectFrom(x2, x3); x3 = HI1.selectFrom(x2, x3); x2 = t;
        t = LO1.selectFrom(x4, x5); x5 = HI1.selectFrom(x4, x5); x4 = t;
        t = LO1.selectFrom(x6, x7); x7 = HI1.selectFrom(x6, x7); x6 = t;
        t = LO1.selectFrom(x8, x9); x9 = HI1.selectFrom(x8, x9); x8 = t;
        t = LO1.selectFrom(x10, x11); x11 = HI1.selectFrom(x10, x11); x10 = t;
        t = LO1.selectFrom(x12, x13); x13 = HI1.selectFrom(x12, x13); x12 = t;
        t = LO1.selectFrom(x14, x15); x15 = HI1.selectFrom(x14, x15); x14 = t;
        x0.intoArray(dst, d + 0 * ds);
        x1.intoArray(dst, d + 1 * ds);
        x2.intoArray(dst, d + 2 * ds);
        x3.intoArray(dst, d + 3 * ds);
        x4.intoArray(dst, d + 4 * ds);
        x5.intoArray(dst, d + 5 * ds);
        x6.intoArray(dst, d + 6 * ds);
        x7.intoArray(dst, d + 7 * ds);
        x8.intoArray(dst, d + 8 * ds);
        x9.intoArray(dst, d + 9 * ds);
        x10.intoArray(dst, d + 10 * ds);
        x11.intoArray(dst, d + 11 * ds);
        x12.intoArray(dst, d + 12 * ds);
        x13.intoArray(dst, d + 13 * ds);
        x14.intoArray(dst, d + 14 * ds);
        x15.intoArray(dst, d + 15 * ds);
    }
}
