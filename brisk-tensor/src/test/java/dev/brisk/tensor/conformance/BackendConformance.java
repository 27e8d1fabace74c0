package dev.brisk.tensor.conformance;

import static dev.brisk.tensor.conformance.Tolerance.assertClose;
import static dev.brisk.tensor.conformance.Tolerance.assertWithin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.UnaryOp;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cross-backend conformance: every tensor-level op runs under the backend named by {@link #backendName()} and
 * under {@code reference}, on awkward sizes (SIMD tails), broadcast axes, non-contiguous views and sizes above
 * the parallel threshold, and the results are compared with the per-op tolerances of {@link Tolerance}. The
 * kernel-level half ({@link KernelConformance}) calls the SPI families directly with offsets, stride-0 operands
 * and in-place outputs. A backend's test is one line: {@code class CpuConformanceTest extends
 * BackendConformance { protected String backendName() { return "cpu"; } }}.
 */
public abstract class BackendConformance extends KernelConformance {

    /** The backend under test, as {@code Kernels.use} knows it (e.g. {@code "cpu"}). */
    @Override
    protected abstract String backendName();

    private String previous;

    @BeforeEach
    void rememberBackend() {
        previous = Kernels.get().backend().name();
    }

    @AfterEach
    void restoreBackend() {
        Kernels.use(previous);
    }

    /** {fast, reference} results of the same op, checked to agree in shape and dtype. */
    private Tensor[] both(Supplier<Tensor> op, String what) {
        Kernels.use(backendName());
        Tensor fast = op.get();
        Kernels.use("reference");
        Tensor ref = op.get();
        Kernels.use(backendName());
        assertArrayEquals(ref.shape(), fast.shape(), what + ": shape");
        assertEquals(ref.dtype(), fast.dtype(), what + ": dtype");
        return new Tensor[] {fast, ref};
    }

    private void check(Supplier<Tensor> op, double rtol, double atol, String what) {
        Tensor[] r = both(op, what);
        if (r[1].dtype() == DType.BOOL) {
            Tolerance.assertSame(bools(r[1]), bools(r[0]), what);
        } else if (r[1].dtype() == DType.I64) {
            Tolerance.assertSame(r[1].toLongArray(), r[0].toLongArray(), what);
        } else {
            assertClose(r[1].toFloatArray(), r[0].toFloatArray(), rtol, atol, what);
        }
    }

    /** Checks against a per-element magnitude {@code scale} computed under the reference (Σ|x|, Σ|a||b|). */
    private void checkScaled(Supplier<Tensor> op, Supplier<Tensor> scale, double rel, double abs, String what) {
        Tensor[] r = both(op, what);
        Kernels.use("reference");
        float[] s = scale.get().toFloatArray();
        Kernels.use(backendName());
        double[] sd = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            sd[i] = s[i];
        }
        assertWithin(r[1].toFloatArray(), r[0].toFloatArray(), sd, rel, abs, what);
    }

    private static boolean[] bools(Tensor t) {
        long[] l = t.toLongArray();
        boolean[] b = new boolean[l.length];
        for (int i = 0; i < l.length; i++) {
            b[i] = l[i] != 0;
        }
        return b;
    }

    // ---- elementwise -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOps(UnaryOp op) {
        double[] tol = Tolerance.unary(op);
        for (int n : Data.AWKWARD) {
            float[] x = Data.forUnary(op, n * 7L, 3 * n);
            for (Data.Laid l : Data.layouts(x, 3, n)) {
                check(() -> l.tensor().unary(op), tol[0], tol[1], op + " " + l.name() + " " + Data.shape(3, n));
            }
        }
        float[] big = Data.forUnary(op, 99, Data.LARGE);
        check(() -> Tensor.of(big, Data.LARGE).unary(op), tol[0], tol[1], op + " one long run");
        float[] grid = Data.forUnary(op, 98, 321 * 129);
        Tensor gridT = Data.layouts(grid, 321, 129).get(1).tensor(); // transposed: many strided rows, split over the pool
        check(() -> gridT.unary(op), tol[0], tol[1], op + " large transposed");
        // bf16 in, bf16 out: both round the same f32 result, allow one bf16 ulp where the f32 results differ
        check(() -> Tensor.of(x33(op), 33).to(DType.BF16).unary(op), tol[0] == 0 ? 0 : 8e-3, tol[1], op + " bf16");
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case POW -> a.pow(b);
            case MAX -> a.maximum(b);
            case MIN -> a.minimum(b);
        };
    }

    static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        return switch (op) {
            case EQ -> a.eq(b);
            case NE -> a.ne(b);
            case LT -> a.lt(b);
            case LE -> a.le(b);
            case GT -> a.gt(b);
            case GE -> a.ge(b);
        };
    }

    private static float[] x33(UnaryOp op) {
        return Data.forUnary(op, 5, 33);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryOpsWithBroadcasting(BinaryOp op) {
        double[] tol = Tolerance.binary(op);
        boolean positive = op == BinaryOp.POW || op == BinaryOp.DIV;
        for (int n : Data.AWKWARD) {
            float[] a = Data.uniform(n, 3 * n, positive ? 0.1 : -4, 4);
            float[] b = Data.uniform(n + 500, 3 * n, op == BinaryOp.DIV ? 0.1 : -3, 3);
            float[] row = Data.uniform(n + 900, n, op == BinaryOp.DIV ? 0.1 : -3, 3);
            float[] col = Data.uniform(n + 950, 3, op == BinaryOp.DIV ? 0.1 : -3, 3);
            Tensor[] others = {
                Tensor.of(b, 3, n), Tensor.of(row, n), Tensor.of(col, 3, 1), Tensor.scalar(1.75f),
                Tensor.of(row, 1, n).expand(3, n), Tensor.of(b, n, 3).t(),
            };
            String[] names = {"same shape", "row (n)", "column (3,1)", "scalar", "expanded row", "transposed"};
            for (Data.Laid l : Data.layouts(a, 3, n)) {
                // every layout of a against a same-shape b; the contiguous a against every broadcast form
                for (int o = 0; o < (l.name().equals("contiguous") ? others.length : 1); o++) {
                    Tensor y = others[o];
                    String what = op + " " + l.name() + " " + Data.shape(3, n) + " with " + names[o];
                    check(() -> binary(op, l.tensor(), y), tol[0], tol[1], what);
                    if (op != BinaryOp.POW) {
                        check(() -> binary(op, y, l.tensor()), tol[0], tol[1], what + " (reversed)");
                    }
                }
            }
        }
        // large: per-channel broadcast over (B,C,H,W) and a long row
        float[] big = Data.uniform(7, 4 * 8 * 33 * 41, positive ? 0.1 : -2, 2);
        float[] ch = Data.uniform(8, 8, 0.5, 2);
        check(() -> binary(op, Tensor.of(big, 4, 8, 33, 41), Tensor.of(ch, 1, 8, 1, 1)), tol[0], tol[1],
                op + " (B,C,H,W) with (1,C,1,1)");
        check(() -> binary(op, Tensor.of(big, 4 * 8 * 33 * 41), Tensor.of(big, 4 * 8 * 33 * 41)), tol[0], tol[1],
                op + " one long run, same operand twice");
    }

    @ParameterizedTest
    @EnumSource(CompareOp.class)
    void comparisons(CompareOp op) {
        for (int n : Data.AWKWARD) {
            float[] a = Data.uniform(n, 3 * n, -2, 2);
            float[] b = Data.uniform(n + 1, 3 * n, -2, 2);
            for (int i = 0; i < a.length; i += 3) {
                a[i] = b[i]; // ties
            }
            if (n > 5) {
                a[4] = Float.NaN;
                b[5] = Float.NaN;
            }
            for (Data.Laid l : Data.layouts(a, 3, n)) {
                check(() -> compare(op, l.tensor(), Tensor.of(b, 3, n)), 0, 0, op + " " + l.name() + " n=" + n);
                if (l.name().equals("contiguous")) {
                    check(() -> compare(op, l.tensor(), Tensor.of(b, 3, n).narrow(0, 1, 1)), 0, 0,
                            op + " broadcast row n=" + n);
                    check(() -> compare(op, Tensor.scalar(0f), l.tensor()), 0, 0, op + " scalar n=" + n);
                }
            }
        }
        float[] big = Data.uniform(3, Data.LARGE, -1, 1);
        check(() -> compare(op, Tensor.of(big, Data.LARGE), Tensor.of(big, Data.LARGE).mul(0.5f)), 0, 0,
                op + " large");
    }

    // ---- reductions and softmax ------------------------------------------------------------------------------

    private static final int[][] DIMS = {{0}, {1}, {2}, {3}, {-1}, {1, 2}, {2, 3}, {0, 2}, {1, 3}, {}};

    @Test
    void reductionsOverDimsAndLayouts() {
        int[] shape = {3, 17, 5, 33};
        float[] x = Data.uniform(1, 3 * 17 * 5 * 33, -2, 2);
        for (Data.Laid l : Data.layouts(x, shape)) {
            Tensor t = l.tensor();
            boolean composite = l.name().equals("contiguous") || l.name().equals("transposed");
            for (int i = 0; i < DIMS.length; i++) {
                int[] d = DIMS[i];
                boolean keep = i % 2 == 1;
                String what = Data.shape(d) + " keep=" + keep + " " + l.name();
                checkScaled(() -> t.sum(d, keep), () -> t.abs().sum(d, keep), 1e-5, 1e-6, "sum " + what);
                checkScaled(() -> t.mean(d, keep), () -> t.abs().mean(d, keep), 1e-5, 1e-6, "mean " + what);
                if (composite) {
                    // var: a sum of non-negative terms, plus a mean; relative to its own value
                    check(() -> t.var(d, 1, keep), 2e-5, 1e-6, "var " + what);
                    // logsumexp: m + ln Σ e^(x−m); Σ with relative 1e-5 moves ln by 1e-5 absolute
                    check(() -> t.logsumexp(d, keep), 1e-6, 2e-5, "logsumexp " + what);
                }
            }
            for (int d = -4; d < 4; d++) {
                int dim = d;
                check(() -> t.max(dim, false), 0, 0, "max dim " + dim + " " + l.name());
                check(() -> t.min(dim, true), 0, 0, "min dim " + dim + " " + l.name());
                check(() -> t.argmax(dim, false), 0, 0, "argmax dim " + dim + " " + l.name());
                check(() -> t.argmin(dim, false), 0, 0, "argmin dim " + dim + " " + l.name());
            }
        }
    }

    @Test
    void reductionsTiesNaNAndLargeSizes() {
        float[] q = Data.uniform(2, 15 * 129, -1, 1);
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.round(q[i] * 3) / 3f; // many ties: the first index must win on every backend
        }
        q[40] = Float.NaN;
        q[15 * 129 - 1] = Float.NaN;
        Tensor t = Tensor.of(q, 15, 129);
        for (int d = 0; d < 2; d++) {
            int dim = d;
            check(() -> t.argmax(dim, false), 0, 0, "argmax ties/NaN dim " + dim);
            check(() -> t.argmin(dim, false), 0, 0, "argmin ties/NaN dim " + dim);
            check(() -> t.max(dim, false), 0, 0, "max NaN dim " + dim);
            check(() -> t.min(dim, false), 0, 0, "min NaN dim " + dim);
            checkScaled(() -> t.sum(dim, false), () -> t.abs().sum(dim, false), 1e-5, 1e-6, "sum with NaN dim " + dim);
        }
        // infinities: a -inf row sums to -inf, +inf with -inf to NaN; max/min/arg* see them as ordinary extremes
        float inf = Float.POSITIVE_INFINITY;
        float[] w = Data.uniform(9, 4 * 33, -1, 1);
        w[5] = -inf;
        w[33 + 7] = inf;
        w[33 + 20] = -inf;
        w[66 + 32] = inf;
        Tensor ti = Tensor.of(w, 4, 33);
        for (int d = 0; d < 2; d++) {
            int dim = d;
            check(() -> ti.sum(dim, false), 1e-6, 1e-5, "sum with infinities dim " + dim);
            check(() -> ti.max(dim, false), 0, 0, "max with infinities dim " + dim);
            check(() -> ti.min(dim, false), 0, 0, "min with infinities dim " + dim);
            check(() -> ti.argmax(dim, false), 0, 0, "argmax with infinities dim " + dim);
            check(() -> ti.argmin(dim, false), 0, 0, "argmin with infinities dim " + dim);
            check(() -> ti.logsumexp(new int[] {dim}, false), 1e-6, 2e-5, "logsumexp with infinities dim " + dim);
        }
        float[] big = Data.uniform(3, 40 * 1031, 0, 1); // all positive: the hardest case for float sums
        Tensor b = Tensor.of(big, 40, 1031);
        for (int[] d : new int[][] {{0}, {1}, {}}) {
            checkScaled(() -> b.sum(d, false), () -> b.sum(d, false), 1e-5, 1e-6, "large sum " + Data.shape(d));
            check(() -> b.max(d.length == 0 ? 0 : d[0], false), 0, 0, "large max " + Data.shape(d));
        }
        float[] row = Data.uniform(4, Data.LARGE, -1, 1);
        checkScaled(() -> Tensor.of(row, Data.LARGE).sum(), () -> Tensor.of(row, Data.LARGE).abs().sum(), 1e-5, 1e-6,
                "one long row");
        check(() -> Tensor.of(row, Data.LARGE).argmax(0, false), 0, 0, "argmax of one long row");
    }

    @Test
    void softmaxAndLogSoftmax() {
        int[][] shapes = {{3, 17, 33}, {2, 129}, {129, 15}, {1, 1}, {5, 127}};
        for (int[] shape : shapes) {
            float[] x = Data.uniform(shape[0] * 31L + shape[1], java.util.Arrays.stream(shape).reduce(1, (p, q) -> p * q),
                    -8, 8);
            for (Data.Laid l : Data.layouts(x, shape)) {
                for (int d = -1; d < shape.length; d++) {
                    int dim = d;
                    String what = Data.shape(shape) + " dim " + dim + " " + l.name();
                    // y = e^(x−m)/Σ: exp relative 2e-6 plus the sum's 1e-5; tiny probabilities absolute
                    check(() -> l.tensor().softmax(dim), 1e-5, 1e-7, "softmax " + what);
                    check(() -> l.tensor().logSoftmax(dim), 1e-6, 2e-5, "logSoftmax " + what);
                }
            }
        }
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor masked = Tensor.of(new float[] {1000f, 1001f, ninf, 3f, ninf, ninf, ninf, -1e4f, Float.NaN, 0f, 1f, 2f},
                4, 3);
        check(() -> masked.softmax(1), 1e-5, 1e-7, "softmax large/masked/NaN rows");
        check(() -> masked.logSoftmax(1), 1e-6, 2e-5, "logSoftmax large/masked/NaN rows");
        float[] big = Data.uniform(6, 64 * 700, -5, 5);
        check(() -> Tensor.of(big, 64, 700).softmax(1), 1e-5, 1e-7, "softmax large rows");
        check(() -> Tensor.of(big, 64, 700).logSoftmax(0), 1e-6, 2e-5, "logSoftmax large columns");
        check(() -> Tensor.of(big, 1, 64 * 700).softmax(1), 1e-5, 1e-7, "softmax one long row");
    }

    // ---- matmul ----------------------------------------------------------------------------------------------

    private void checkMatmul(Tensor a, Tensor b, String what) {
        // |c − ref| ≤ 1e-5·Σ|a||b| + 1e-6 (see Tolerance); Σ|a||b| is |a|·|b| under the reference
        checkScaled(() -> a.matmul(b), () -> a.abs().to(DType.F32).matmul(b.abs().to(DType.F32)), 1e-5, 1e-6, what);
    }

    @Test
    void matmulInEveryTransposeLayout() {
        int[][] mkn = {{1, 1, 1}, {1, 33, 17}, {15, 17, 33}, {33, 1, 15}, {17, 129, 15}, {127, 15, 129}, {4, 200, 1},
            {129, 127, 131}};
        for (int[] s : mkn) {
            float[] a = Data.uniform(s[0] * 100L + s[1], s[0] * s[1], -1, 1);
            float[] b = Data.uniform(s[2] * 100L + s[1], s[1] * s[2], -1, 1);
            int layouts = s[0] * s[1] * s[2] > 100_000 ? 2 : 4; // the largest: plain and transposed only
            for (Data.Laid la : Data.layouts(a, s[0], s[1]).subList(0, layouts)) {
                for (Data.Laid lb : Data.layouts(b, s[1], s[2]).subList(0, layouts)) {
                    checkMatmul(la.tensor(), lb.tensor(), "matmul " + Data.shape(s) + " " + la.name() + "·" + lb.name());
                }
            }
        }
    }

    @Test
    void matmulBatchedBroadcastVectorsAndBf16() {
        float[] a = Data.uniform(1, 3 * 17 * 33, -1, 1);
        float[] b = Data.uniform(2, 3 * 33 * 15, -1, 1);
        float[] w = Data.uniform(3, 33 * 15, -1, 1);
        float[] v = Data.uniform(4, 33, -1, 1);
        Tensor ta = Tensor.of(a, 3, 17, 33);
        checkMatmul(ta, Tensor.of(b, 3, 33, 15), "batched");
        checkMatmul(ta, Tensor.of(w, 33, 15), "(B,m,k)·(k,n)");
        checkMatmul(Tensor.of(w, 15, 33), Tensor.of(b, 3, 33, 15), "(m,k)·(B,k,n)");
        checkMatmul(Tensor.of(a, 3, 1, 17, 33), Tensor.of(b, 3, 33, 15), "(3,1,m,k)·(3,k,n) -> (3,3,m,n)");
        checkMatmul(Tensor.of(a, 3, 33, 17).transpose(1, 2), Tensor.of(b, 3, 15, 33).transpose(1, 2),
                "batched Aᵀ·Bᵀ");
        checkMatmul(Tensor.of(a, 17, 3, 33).transpose(0, 1), Tensor.of(b, 3, 33, 15), "batch dims not one stride");
        checkMatmul(Tensor.of(w, 1, 33, 15).expand(3, 33, 15).transpose(1, 2), ta.transpose(1, 2),
                "expanded (stride-0 batch) transposed operand");
        checkMatmul(Tensor.of(v, 33), Tensor.of(w, 33, 15), "vector·matrix");
        checkMatmul(ta, Tensor.of(v, 33), "batch·vector");
        checkMatmul(Tensor.of(v, 33), Tensor.of(v, 33), "dot");
        // bf16: operands are exact bf16 values, products exact in f32; the results round to bf16, so allow one
        // bf16 ulp (2^-8 relative) where the f32 sums differ in the last bits near a rounding boundary
        Tensor abf = ta.to(DType.BF16);
        Tensor bbf = Tensor.of(b, 3, 33, 15).to(DType.BF16);
        check(() -> abf.matmul(bbf), 8e-3, 1e-5, "bf16 batched");
        check(() -> abf.matmul(Tensor.of(b, 3, 15, 33).to(DType.BF16).transpose(1, 2)), 8e-3, 1e-5,
                "bf16 transposed B");
        checkMatmul(abf, Tensor.of(w, 33, 15), "bf16·f32 -> f32");
        float[] big = Data.uniform(5, 96 * 256, -1, 1);
        Tensor bigA = Tensor.of(big, 96, 256).to(DType.BF16);
        check(() -> bigA.matmul(bigA.t()), 8e-3, 1e-5, "bf16 96x256 · its transpose");
    }
}
