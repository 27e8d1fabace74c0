package dev.brisk.compress.quant;

/**
 * The reference for {@link Int8Gemm}: {@code C[m][n] = Σ_k A[m][k]·B[n][k]} in plain int arithmetic, A (M×K)
 * and B (N×K) int8 row-major, C (M×N) int32 row-major. Exact (no overflow for K &lt; 2¹⁷).
 */
public final class Int8GemmReference {

    private Int8GemmReference() {
    }

    public static void gemm(byte[] a, int aOff, byte[] b, int bOff, int[] c, int cOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += a[aOff + i * k + p] * b[bOff + j * k + p];
                }
                c[cOff + i * n + j] = acc;
            }
        }
    }

    /** {@code C[m][n] = Σ_k A[m][k]·B[k][n]}, A (M×K), B (K×N), C (M×N), all row-major. */
    public static void gemmNN(byte[] a, int aOff, byte[] b, int bOff, int[] c, int cOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += a[aOff + i * k + p] * b[bOff + p * n + j];
                }
                c[cOff + i * n + j] = acc;
            }
        }
    }
}
