package dev.brisk.cpu.ops;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.reference.ReferenceElementwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One loop per {@link BinaryOp} and operand-stride combination: {@code VV} (both contiguous), {@code VS}
 * (b broadcast), {@code SV} (a broadcast; commutative ops reuse {@code VS} with the operands swapped). The
 * broadcast operand is read once and held in a register; nothing branches per element. Tails are one masked
 * vector.
 *
 * <p>ADD, SUB, MUL, DIV, MAX and MIN are correctly rounded IEEE operations and match the reference bit for
 * bit (MAX/MIN follow {@code Math.max/min}: NaN wins, +0 &gt; -0). POW uses SVML's powf (≤ 1 ulp) with the
 * Java special cases patched in {@link VectorMath#pow}.
 */
final class BinaryKernels {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private BinaryKernels() {
    }

    /** y[yo + i] = a[ao + i·as] op b[bo + i·bs] for i in [0, n), strides 0 or 1. */
    static void run(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] y, int yo, int n) {
        if (n <= 0) {
            return;
        }
        if (as == 1 && bs == 1) {
            vv(op, a, ao, b, bo, y, yo, n);
        } else if (as == 1 && bs == 0) {
            vs(op, a, ao, b[bo], y, yo, n);
        } else if (as == 0 && bs == 1) {
            sv(op, a[ao], b, bo, y, yo, n);
        } else if (as == 0 && bs == 0) {
            java.util.Arrays.fill(y, yo, yo + n, ReferenceElementwise.apply(op, a[ao], b[bo]));
        } else {
            for (int i = 0; i < n; i++) { // outside the contract (strides 0 or 1); kept correct, not fast
                y[yo + i] = ReferenceElementwise.apply(op, a[ao + i * as], b[bo + i * bs]);
            }
        }
    }

    private static void vv(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        switch (op) {
            case ADD -> addVV(a, ao, b, bo, y, yo, n);
            case SUB -> subVV(a, ao, b, bo, y, yo, n);
            case MUL -> mulVV(a, ao, b, bo, y, yo, n);
            case DIV -> divVV(a, ao, b, bo, y, yo, n);
            case POW -> powVV(a, ao, b, bo, y, yo, n);
            case MAX -> maxVV(a, ao, b, bo, y, yo, n);
            case MIN -> minVV(a, ao, b, bo, y, yo, n);
        }
    }

    private static void vs(BinaryOp op, float[] a, int ao, float b, float[] y, int yo, int n) {
        switch (op) {
            case ADD -> addVS(a, ao, b, y, yo, n);
            case SUB -> subVS(a, ao, b, y, yo, n);
            case MUL -> mulVS(a, ao, b, y, yo, n);
            case DIV -> divVS(a, ao, b, y, yo, n);
            case POW -> powVS(a, ao, b, y, yo, n);
            case MAX -> maxVS(a, ao, b, y, yo, n);
            case MIN -> minVS(a, ao, b, y, yo, n);
        }
    }

    private static void sv(BinaryOp op, float a, float[] b, int bo, float[] y, int yo, int n) {
        switch (op) {
            case ADD -> addVS(b, bo, a, y, yo, n);
            case SUB -> subSV(a, b, bo, y, yo, n);
            case MUL -> mulVS(b, bo, a, y, yo, n);
            case DIV -> divSV(a, b, bo, y, yo, n);
            case POW -> powSV(a, b, bo, y, yo, n);
            case MAX -> maxVS(b, bo, a, y, yo, n);
            case MIN -> minVS(b, bo, a, y, yo, n);
        }
    }

    private static void addVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.add(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.add(b).intoArray(y, yo + i, m);
        }
    }

    private static void addVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            a.add(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            a.add(b).intoArray(y, yo + i, m);
        }
    }

    private static void subVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.sub(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.sub(b).intoArray(y, yo + i, m);
        }
    }

    private static void subVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            a.sub(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            a.sub(b).intoArray(y, yo + i, m);
        }
    }

    private static void subSV(float aScalar, float[] bs, int bo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(F, aScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.sub(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.sub(b).intoArray(y, yo + i, m);
        }
    }

    private static void mulVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.mul(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.mul(b).intoArray(y, yo + i, m);
        }
    }

    private static void mulVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            a.mul(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            a.mul(b).intoArray(y, yo + i, m);
        }
    }

    private static void divVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.div(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.div(b).intoArray(y, yo + i, m);
        }
    }

    private static void divVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            a.div(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            a.div(b).intoArray(y, yo + i, m);
        }
    }

    private static void divSV(float aScalar, float[] bs, int bo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(F, aScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.div(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.div(b).intoArray(y, yo + i, m);
        }
    }

    private static void powVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            VectorMath.pow(a, b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            VectorMath.pow(a, b).intoArray(y, yo + i, m);
        }
    }

    private static void powVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            VectorMath.pow(a, b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            VectorMath.pow(a, b).intoArray(y, yo + i, m);
        }
    }

    private static void powSV(float aScalar, float[] bs, int bo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(F, aScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            VectorMath.pow(a, b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            VectorMath.pow(a, b).intoArray(y, yo + i, m);
        }
    }

    private static void maxVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.max(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.max(b).intoArray(y, yo + i, m);
        }
    }

    private static void maxVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            a.max(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            a.max(b).intoArray(y, yo + i, m);
        }
    }

    private static void minVV(float[] as, int ao, float[] bs, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i);
            a.min(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            FloatVector b = FloatVector.fromArray(F, bs, bo + i, m);
            a.min(b).intoArray(y, yo + i, m);
        }
    }

    private static void minVS(float[] as, int ao, float bScalar, float[] y, int yo, int n) {
        FloatVector b = FloatVector.broadcast(F, bScalar);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector a = FloatVector.fromArray(F, as, ao + i);
            a.min(b).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector a = FloatVector.fromArray(F, as, ao + i, m);
            a.min(b).intoArray(y, yo + i, m);
        }
    }
}
