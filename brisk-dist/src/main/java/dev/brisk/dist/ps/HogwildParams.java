package dev.brisk.dist.ps;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A parameter vector shared by threads that update it without locks (Hogwild, Niu et al. 2011): each thread reads
 * a snapshot, computes a gradient on it and subtracts {@code lr·g} element by element, racing with the others.
 *
 * <p>Java memory model caveats, and why this is still sound for SGD:
 * <ul>
 *   <li>Elements are {@code float}: JLS 17.7 makes reads and writes of 32-bit values atomic, so a value is never
 *       torn (a {@code double[]} or {@code long[]} would not have that guarantee without volatile access).</li>
 *   <li>Read–modify–write is not atomic: two threads updating the same element at once may lose one update. With
 *       sparse or small updates that is rare and SGD tolerates it (the convergence argument of Hogwild).</li>
 *   <li>Visibility: plain accesses may be cached or reordered indefinitely (a JIT may hoist a plain read out of a
 *       loop). All accesses here are <em>opaque</em> ({@link VarHandle#getOpaque}, {@link VarHandle#setOpaque}):
 *       no ordering with other variables, but each write becomes visible to other threads eventually and is never
 *       hoisted away, so every thread's progress is seen. A snapshot is therefore not a consistent point in time —
 *       elements may mix several updates — which is exactly Hogwild's model.</li>
 *   <li>Results are reproducible only in expectation: the interleaving, and so the final bits, differ run to run.</li>
 * </ul>
 */
public final class HogwildParams {

    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(float[].class);

    private final float[] values;

    public HogwildParams(float[] initial) {
        this.values = initial.clone();
    }

    public int size() {
        return values.length;
    }

    /** Copies the current (possibly mid-update) values into {@code into}. */
    public void snapshot(float[] into) {
        for (int i = 0; i < values.length; i++) {
            into[i] = (float) ELEMENT.getOpaque(values, i);
        }
    }

    /** {@code w −= lr·g}, element by element, without locks. */
    public void applyGradient(float[] grad, float lr) {
        for (int i = 0; i < values.length; i++) {
            float g = grad[i];
            if (g != 0f) {
                ELEMENT.setOpaque(values, i, (float) ELEMENT.getOpaque(values, i) - lr * g);
            }
        }
    }

    /** A copy of the values, after a full fence (call once the updating threads are joined for exact values). */
    public float[] values() {
        VarHandle.fullFence();
        return values.clone();
    }
}
