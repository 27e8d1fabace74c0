package dev.brisk.cpu.ops;

import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.reference.ReferenceElementwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector comparisons written straight to {@code boolean[]} with {@code VectorMask.intoArray}; exact (IEEE
 * comparisons: false with NaN except NE). GT and GE are LT and LE with the operands swapped, and EQ/NE are
 * symmetric, so four loops per stride combination cover the six ops. Tails are scalar.
 */
final class CompareKernels {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private CompareKernels() {
    }

    /** y[yo + i] = a[ao + i·as] cmp b[bo + i·bs] for i in [0, n), strides 0 or 1. */
    static void run(CompareOp op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] y, int yo, int n) {
        if (n <= 0) {
            return;
        }
        if (as == 1 && bs == 1) {
            switch (op) {
                case EQ -> eqVV(a, ao, b, bo, y, yo, n);
                case NE -> neVV(a, ao, b, bo, y, yo, n);
                case LT -> ltVV(a, ao, b, bo, y, yo, n);
                case LE -> leVV(a, ao, b, bo, y, yo, n);
                case GT -> ltVV(b, bo, a, ao, y, yo, n);
                case GE -> leVV(b, bo, a, ao, y, yo, n);
            }
        } else if (as == 1 && bs == 0) {
            switch (op) {
                case EQ -> eqVS(a, ao, b[bo], y, yo, n);
                case NE -> neVS(a, ao, b[bo], y, yo, n);
                case LT -> ltVS(a, ao, b[bo], y, yo, n);
                case LE -> leVS(a, ao, b[bo], y, yo, n);
                case GT -> ltSV(b[bo], a, ao, y, yo, n);
                case GE -> leSV(b[bo], a, ao, y, yo, n);
            }
        } else if (as == 0 && bs == 1) {
            switch (op) {
                case EQ -> eqVS(b, bo, a[ao], y, yo, n);
                case NE -> neVS(b, bo, a[ao], y, yo, n);
                case LT -> ltSV(a[ao], b, bo, y, yo, n);
                case LE -> leSV(a[ao], b, bo, y, yo, n);
                case GT -> ltVS(b, bo, a[ao], y, yo, n);
                case GE -> leVS(b, bo, a[ao], y, yo, n);
            }
        } else {
            for (int i = 0; i < n; i++) { // both broadcast, or outside the contract
                y[yo + i] = ReferenceElementwise.apply(op, a[ao + i * as], b[bo + i * bs]);
            }
        }
    }

    private static void eqVV(float[] a, int ao, float[] b, int bo, boolean[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(EQ, FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.EQ, a[ao + i], b[bo + i]);
        }
    }

    private static void eqVS(float[] a, int ao, float b, boolean[] y, int yo, int n) {
        FloatVector bv = FloatVector.broadcast(F, b);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(EQ, bv).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.EQ, a[ao + i], b);
        }
    }

    private static void neVV(float[] a, int ao, float[] b, int bo, boolean[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(NE, FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.NE, a[ao + i], b[bo + i]);
        }
    }

    private static void neVS(float[] a, int ao, float b, boolean[] y, int yo, int n) {
        FloatVector bv = FloatVector.broadcast(F, b);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(NE, bv).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.NE, a[ao + i], b);
        }
    }

    private static void ltVV(float[] a, int ao, float[] b, int bo, boolean[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(LT, FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.LT, a[ao + i], b[bo + i]);
        }
    }

    private static void ltVS(float[] a, int ao, float b, boolean[] y, int yo, int n) {
        FloatVector bv = FloatVector.broadcast(F, b);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(LT, bv).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.LT, a[ao + i], b);
        }
    }

    private static void ltSV(float a, float[] b, int bo, boolean[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            av.compare(LT, FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.LT, a, b[bo + i]);
        }
    }

    private static void leVV(float[] a, int ao, float[] b, int bo, boolean[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(LE, FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.LE, a[ao + i], b[bo + i]);
        }
    }

    private static void leVS(float[] a, int ao, float b, boolean[] y, int yo, int n) {
        FloatVector bv = FloatVector.broadcast(F, b);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, a, ao + i).compare(LE, bv).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.LE, a[ao + i], b);
        }
    }

    private static void leSV(float a, float[] b, int bo, boolean[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            av.compare(LE, FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceElementwise.apply(CompareOp.LE, a, b[bo + i]);
        }
    }
}
