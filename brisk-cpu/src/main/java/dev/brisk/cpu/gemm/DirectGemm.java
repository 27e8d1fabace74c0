package dev.brisk.cpu.gemm;

import static dev.brisk.cpu.gemm.MicroKernel.F;
import static dev.brisk.cpu.gemm.MicroKernel.L;

import dev.brisk.tensor.DTypes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The unpacked path for small products, where packing would cost as much as the arithmetic. Single-threaded.
 *
 * <pre>
 *   for i in 0..m step 4, j in 0..n step L:
 *     acc[r] = Σ_p broadcast(op(A)[i+r, p]) · op(B)[p, j : j+L]      4 rows × 1 vector, masked tail
 *     C[i+r, j : j+L] = alpha · acc[r] + beta · C[i+r, j : j+L]
 * </pre>
 *
 * op(B) rows must be contiguous: a transposed B is first copied to a (k, n) buffer. A is read in place through
 * a row and a column stride, so one loop serves both of its layouts; bf16 operands are widened into buffers.
 */
final class DirectGemm {

    private DirectGemm() {
    }

    static void gemm(Operands ops, int m, int n, int k, float beta, float[] c, int cOff, int ldc, Scratch s) {
        boolean transA = ops.transA();
        boolean transB = ops.transB();
        int lda = ops.lda();
        int aRows = transA ? k : m, aCols = transA ? m : k;
        float[] a;
        int aOff;
        if (ops.a() instanceof float[] f) {
            a = f;
            aOff = ops.aOff();
        } else {
            // widened densely: the row stride becomes the stored row length
            a = s.y(aRows * aCols);
            aOff = 0;
            for (int r = 0; r < aRows; r++) {
                PackBf16.widenRow((short[]) ops.a(), ops.aOff() + r * lda, a, r * aCols, aCols);
            }
            lda = aCols;
        }
        float[] b;
        int bOff;
        int ldb;
        if (ops.b() instanceof float[] f && !transB) {
            b = f;
            bOff = ops.bOff();
            ldb = ops.ldb();
        } else {
            // op(B) rows must be contiguous: copy (transposing and/or widening) into a (k, n) buffer
            b = s.x(k * n);
            bOff = 0;
            ldb = n;
            int src = ops.bOff();
            int ld = ops.ldb();
            if (ops.b() instanceof float[] f) {
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        b[p * n + j] = f[src + j * ld + p];
                    }
                }
            } else if (transB) {
                short[] h = (short[]) ops.b();
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        b[p * n + j] = DTypes.bf16ToFloat(h[src + j * ld + p]);
                    }
                }
            } else {
                for (int p = 0; p < k; p++) {
                    PackBf16.widenRow((short[]) ops.b(), src + p * ld, b, p * n, n);
                }
            }
        }
        rows(m, n, k, ops.alpha(), a, aOff, transA ? 1 : lda, transA ? lda : 1, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** op(A)(i, p) = a[aOff + i·rs + p·ps]; op(B)(p, j) = b[bOff + p·ldb + j]. */
    private static void rows(int m, int n, int k, float alpha, float[] a, int aOff, int rs, int ps,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            for (int j = 0; j < n; j += L) {
                rows4(k, alpha, a, aOff + i * rs, rs, ps, b, bOff + j, ldb, beta, c, cOff + i * ldc + j, ldc,
                        F.indexInRange(j, n));
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j += L) {
                row1(k, alpha, a, aOff + i * rs, ps, b, bOff + j, ldb, beta, c, cOff + i * ldc + j,
                        F.indexInRange(j, n));
            }
        }
    }

    private static void rows4(int k, float alpha, float[] a, int ai, int rs, int ps, float[] b, int bj, int ldb,
                              float beta, float[] c, int ci, int ldc, VectorMask<Float> mask) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int p = 0; p < k; p++) {
            FloatVector bv = FloatVector.fromArray(F, b, bj + p * ldb, mask);
            int o = ai + p * ps;
            acc0 = FloatVector.broadcast(F, a[o]).fma(bv, acc0);
            acc1 = FloatVector.broadcast(F, a[o + rs]).fma(bv, acc1);
            acc2 = FloatVector.broadcast(F, a[o + 2 * rs]).fma(bv, acc2);
            acc3 = FloatVector.broadcast(F, a[o + 3 * rs]).fma(bv, acc3);
        }
        store(acc0, alpha, beta, c, ci, mask);
        store(acc1, alpha, beta, c, ci + ldc, mask);
        store(acc2, alpha, beta, c, ci + 2 * ldc, mask);
        store(acc3, alpha, beta, c, ci + 3 * ldc, mask);
    }

    private static void row1(int k, float alpha, float[] a, int ai, int ps, float[] b, int bj, int ldb,
                             float beta, float[] c, int ci, VectorMask<Float> mask) {
        FloatVector acc = FloatVector.zero(F);
        for (int p = 0; p < k; p++) {
            acc = FloatVector.broadcast(F, a[ai + p * ps]).fma(FloatVector.fromArray(F, b, bj + p * ldb, mask), acc);
        }
        store(acc, alpha, beta, c, ci, mask);
    }

    /** C = alpha · acc + beta · C, not reading C when beta == 0. */
    private static void store(FloatVector acc, float alpha, float beta, float[] c, int ci, VectorMask<Float> mask) {
        FloatVector r = acc.mul(alpha);
        if (beta != 0f) {
            r = FloatVector.fromArray(F, c, ci, mask).mul(beta).add(r);
        }
        r.intoArray(c, ci, mask);
    }
}
