package dev.brisk.dist;

/**
 * The reduction step of every collective: {@code acc[i] = acc[i] op src[i]}. Plain counted loops over
 * {@code float[]}, which C2 compiles to SIMD; the same code on every rank and every backend, so a chunk's result
 * depends only on the order it is folded in. (The tensor kernels' reference backend evaluates each element
 * in double through a switch — correct, but several times slower than the wire; a collective must keep up with
 * the network whatever backend is active.) MAX and MIN use {@link Math#max}/{@link Math#min}: NaN propagates,
 * like {@code BinaryOp.MAX/MIN}.
 */
final class Fold {

    private Fold() {
    }

    static void fold(Reduction op, float[] acc, int accOff, float[] src, int srcOff, int n) {
        switch (op) {
            case SUM, AVG -> {
                for (int i = 0; i < n; i++) {
                    acc[accOff + i] += src[srcOff + i];
                }
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    acc[accOff + i] = Math.max(acc[accOff + i], src[srcOff + i]);
                }
            }
            case MIN -> {
                for (int i = 0; i < n; i++) {
                    acc[accOff + i] = Math.min(acc[accOff + i], src[srcOff + i]);
                }
            }
        }
    }

    /** {@code a[i] /= p}: the AVG finish, done once by the chunk's owner. */
    static void divide(float[] a, int off, int n, int p) {
        float d = p;
        for (int i = off, e = off + n; i < e; i++) {
            a[i] /= d;
        }
    }
}
