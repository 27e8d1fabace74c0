package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertClose;
import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brisk.tensor.backend.UnaryOp;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Unary and binary elementwise ops against double-precision formulas written here, on awkward sizes and
 * non-contiguous layouts; scalar operands and dtype promotion.
 */
class ElementwiseTest {

    /**
     * erfc(z) for z ≥ 0 as 2/√π ∫_z^{z+9} e^{-t²} dt by composite Simpson (4000 intervals); the tail beyond z+9
     * is below e^-81. Accurate to ~1e-11 absolute near 0 and ~1e-8 relative in the far tail: independent of
     * the series and continued fraction the reference backend uses.
     */
    static double erfc(double z) {
        int n = 4000;
        double h = 9.0 / n;
        double s = Math.exp(-z * z) + Math.exp(-(z + 9) * (z + 9));
        for (int i = 1; i < n; i++) {
            double t = z + i * h;
            s += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }

    /** The standard normal CDF, without cancellation in either tail. */
    static double phi(double x) {
        return x >= 0 ? 1 - 0.5 * erfc(x / Math.sqrt(2)) : 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double tanh(double x) {
        if (Math.abs(x) > 20) {
            return Math.signum(x);
        }
        double e = Math.expm1(2 * x);
        return e / (e + 2);
    }

    /** The math of each unary op, written independently of the reference backend. */
    static double unaryMath(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> x < 0 ? -x : x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case SQUARE -> x * x;
            case TANH -> tanh(x);
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0);
            case GELU_ERF -> x * phi(x);
            case GELU_TANH -> {
                // 1 + tanh(u) = 2 / (1 + e^{-2u}), which does not cancel for very negative u
                double u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
                yield 0.5 * x * (2 / (1 + Math.exp(-2 * u)));
            }
            case SILU -> x >= 0 ? x / (1 + Math.exp(-x)) : x * Math.exp(x) / (1 + Math.exp(x));
        };
    }

    /**
     * Absolute tolerance per op: 0 except for the GELUs, whose definition x/2·(1+erf) (or 1+tanh) cancels in
     * the far negative tail where values are below ~1e-6; a scalar-double evaluation of that form is off by
     * ~1e-16·|x| there, so allow 1e-12 absolute.
     */
    static double unaryAtol(UnaryOp op) {
        return op == UnaryOp.GELU_ERF || op == UnaryOp.GELU_TANH ? 1e-12 : 1e-30;
    }

    /** Inputs in each op's domain (positive for log/sqrt/rsqrt/reciprocal). */
    static float[] domainInputs(UnaryOp op, long seed, int n) {
        return switch (op) {
            case LOG, SQRT, RSQRT, RECIPROCAL -> TestSupport.uniform(seed, n, 0.01f, 50f);
            case EXP -> TestSupport.uniform(seed, n, -80f, 80f);
            default -> TestSupport.uniform(seed, n, -8f, 8f);
        };
    }

    private static final int[] AWKWARD = {1, 15, 17, 33, 127, 129};

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOpsMatchDoubleMath(UnaryOp op) {
        for (int n : AWKWARD) {
            for (int rows : new int[] {1, 3}) {
                float[] x = domainInputs(op, 31L * n + rows, rows * n);
                double[] want = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    want[i] = unaryMath(op, x[i]);
                }
                for (Layouts.Laid l : Layouts.of(x, rows, n)) {
                    Tensor y = l.tensor().unary(op);
                    assertShape(y, rows, n);
                    assertEquals(DType.F32, y.dtype());
                    // one rounding of the exact value: ≤ 1/2 ulp, plus a little for the series/identities here
                    assertClose(want, y, 1e-6, unaryAtol(op), op + " " + l.name() + " (" + rows + "," + n + ")");
                }
            }
        }
    }

    @Test
    void unarySpecialValues() {
        Tensor x = Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f}, 5);
        float[] relu = x.relu().toFloatArray();
        assertTrue(Float.isNaN(relu[0]), "relu(NaN) is NaN");
        assertEquals(Float.POSITIVE_INFINITY, relu[1]);
        assertEquals(0f, relu[2]);
        float[] exp = x.exp().toFloatArray();
        assertEquals(Float.POSITIVE_INFINITY, exp[1]);
        assertEquals(0f, exp[2]);
        assertEquals(1f, exp[3]);
        float[] sig = x.sigmoid().toFloatArray();
        assertEquals(1f, sig[1]);
        assertEquals(0f, sig[2]);
        assertEquals(0.5f, sig[4]);
        float[] th = x.tanh().toFloatArray();
        assertEquals(1f, th[1]);
        assertEquals(-1f, th[2]);
        float[] log = Tensor.of(new float[] {0f, -1f, 1f}, 3).log().toFloatArray();
        assertEquals(Float.NEGATIVE_INFINITY, log[0]);
        assertTrue(Float.isNaN(log[1]));
        assertEquals(0f, log[2]);
        assertTrue(Float.isNaN(Tensor.of(new float[] {-4f}, 1).sqrt().item()));
        assertEquals(Float.POSITIVE_INFINITY, Tensor.of(new float[] {0f}, 1).rsqrt().item());
        // sanity of named values: gelu(1) = Φ(1) = 0.8413447460685429
        assertEquals(0.8413447460685429, Tensor.of(new float[] {1f}, 1).gelu().item(), 1e-7);
        assertEquals(0.8411919906082768, Tensor.of(new float[] {1f}, 1).geluTanh().item(), 1e-7);
        assertEquals(0.7310585786300049, Tensor.of(new float[] {1f}, 1).silu().item(), 1e-7);
        assertEquals(-0.2689414213699951, Tensor.of(new float[] {-1f}, 1).silu().item(), 1e-7);
    }

    @Test
    void namedUnaryMethodsDispatchToTheirOp() {
        Tensor x = Tensor.of(new float[] {0.25f, 4f}, 2);
        assertClose(new double[] {-0.25, -4}, x.neg(), 0, 0, "neg");
        assertClose(new double[] {0.25, 4}, x.neg().abs(), 0, 0, "abs");
        assertClose(new double[] {0.5, 2}, x.sqrt(), 0, 0, "sqrt");
        assertClose(new double[] {2, 0.5}, x.rsqrt(), 0, 0, "rsqrt");
        assertClose(new double[] {0.0625, 16}, x.pow(2f), 0, 0, "pow 2 -> square");
        assertClose(new double[] {0.125, 8}, x.pow(1.5f), 1e-7, 0, "pow 1.5");
        assertClose(new double[] {4, 0.25}, x.unary(UnaryOp.RECIPROCAL), 0, 0, "reciprocal");
        assertClose(new double[] {Math.log(0.25), Math.log(4)}, x.log(), 1e-7, 0, "log");
        assertClose(new double[] {Math.exp(0.25), Math.exp(4)}, x.exp(), 1e-7, 0, "exp");
    }

    /** Binary float ops: add/sub/mul/div of floats rounded once are exactly the double result rounded to float. */
    @Test
    void binaryArithmeticIsCorrectlyRounded() {
        DoubleBinaryOperator[] fs = {Double::sum, (a, b) -> a - b, (a, b) -> a * b, (a, b) -> a / b};
        String[] names = {"add", "sub", "mul", "div"};
        for (int n : AWKWARD) {
            float[] a = TestSupport.uniform(n, 3 * n, -10f, 10f);
            float[] b = TestSupport.uniform(n + 1000, 3 * n, 0.5f, 9f);
            for (int o = 0; o < 4; o++) {
                double[] want = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    want[i] = (float) fs[o].applyAsDouble(a[i], b[i]);
                }
                for (Layouts.Laid la : Layouts.of(a, 3, n)) {
                    for (Layouts.Laid lb : Layouts.of(b, 3, n)) {
                        Tensor x = la.tensor();
                        Tensor y = lb.tensor();
                        Tensor r = switch (o) {
                            case 0 -> x.add(y);
                            case 1 -> x.sub(y);
                            case 2 -> x.mul(y);
                            default -> x.div(y);
                        };
                        assertClose(want, r, 0, 0, names[o] + " " + la.name() + "/" + lb.name() + " n=" + n);
                    }
                }
            }
        }
    }

    @Test
    void powMaximumMinimum() {
        float[] a = TestSupport.uniform(5, 129, 0.1f, 4f);
        float[] b = TestSupport.uniform(6, 129, -3f, 3f);
        b[7] = Float.NaN;
        a[9] = Float.NaN;
        double[] pow = new double[129];
        double[] max = new double[129];
        double[] min = new double[129];
        for (int i = 0; i < 129; i++) {
            pow[i] = Math.pow(a[i], b[i]);
            boolean nan = Float.isNaN(a[i]) || Float.isNaN(b[i]);
            max[i] = nan ? Double.NaN : (a[i] > b[i] ? a[i] : b[i]);
            min[i] = nan ? Double.NaN : (a[i] < b[i] ? a[i] : b[i]);
        }
        Tensor x = Tensor.of(a, 129);
        Tensor y = Tensor.of(b, 129);
        assertClose(pow, x.pow(y), 1e-6, 0, "pow");
        assertClose(max, x.maximum(y), 0, 0, "maximum");
        assertClose(min, x.minimum(y), 0, 0, "minimum");
        // NaN in the middle of an otherwise ordered pair must not be swallowed
        assertTrue(Float.isNaN(x.maximum(y).toFloatArray()[7]));
        assertTrue(Float.isNaN(x.minimum(y).toFloatArray()[9]));
    }

    @ParameterizedTest
    @ValueSource(floats = {2.5f, -0.75f, 0f})
    void scalarOperands(float s) {
        float[] a = TestSupport.uniform(17, 33, -5f, 5f);
        Tensor x = Tensor.of(a, 3, 11);
        double[] add = new double[33];
        double[] sub = new double[33];
        double[] mul = new double[33];
        double[] div = new double[33];
        double[] rsub = new double[33];
        for (int i = 0; i < 33; i++) {
            add[i] = a[i] + s;
            sub[i] = a[i] - s;
            mul[i] = a[i] * s;
            div[i] = a[i] / s;
            rsub[i] = s - a[i];
        }
        assertClose(add, x.add(s), 0, 0, "add scalar");
        assertClose(sub, x.sub(s), 0, 0, "sub scalar");
        assertClose(mul, x.mul(s), 0, 0, "mul scalar");
        assertClose(div, x.div(s), 0, 0, "div scalar");
        assertClose(rsub, Tensor.scalar(s).sub(x), 0, 0, "scalar - tensor");
        assertShape(Tensor.scalar(s).sub(x), 3, 11);
        Tensor zeroDim = Tensor.scalar(3f).mul(Tensor.scalar(s));
        assertShape(zeroDim);
        assertEquals(3f * s, zeroDim.item());
    }

    @Test
    void promotionRules() {
        Tensor bf = Tensor.of(new float[] {1.5f, -2.25f, 3f}, 3).to(DType.BF16);
        Tensor hf = Tensor.of(new float[] {0.5f, 0.5f, 0.5f}, 3).to(DType.F16);
        Tensor f = Tensor.of(new float[] {1f, 1f, 1f}, 3);
        assertEquals(DType.BF16, bf.mul(2f).dtype(), "bf16 · python-style scalar stays bf16");
        assertEquals(DType.BF16, bf.add(Tensor.scalar(1f)).dtype(), "a 0-dim F32 does not widen");
        assertEquals(DType.BF16, Tensor.scalar(1f).add(bf).dtype());
        assertEquals(DType.F32, bf.add(f).dtype(), "bf16 + f32 -> f32");
        assertEquals(DType.F32, f.sub(bf).dtype());
        assertEquals(DType.F32, bf.mul(hf).dtype(), "bf16 · f16 -> f32");
        assertEquals(DType.F16, hf.mul(hf).dtype());
        assertEquals(DType.F16, hf.exp().dtype());
        assertEquals(DType.F32, Tensor.scalar(1f).to(DType.BF16).add(Tensor.scalar(1f).to(DType.F16)).dtype(),
                "two 0-dim of different types -> f32");
        assertClose(new double[] {2.5, -1.25, 4}, bf.add(f), 0, 0, "bf16 + f32 values");
        assertClose(new double[] {3, -4.5, 6}, bf.mul(2f), 0, 0, "bf16 · 2 values");
        // the bf16 result is rounded once: 1.5 + 2^-7 + 2^-9 is not a bf16 value and rounds to 1.5 + 2^-7
        Tensor r = bf.add(0x1p-7f + 0x1p-9f);
        assertEquals(DType.BF16, r.dtype());
        assertEquals(1.5f + 0x1p-7f, r.toFloatArray()[0]);
        // bf16 unary results are the f32 result rounded to nearest even
        Tensor e = Tensor.of(new float[] {1f, 2f, -3f}, 3).to(DType.BF16).exp();
        assertEquals(DType.BF16, e.dtype());
        for (int i = 0; i < 3; i++) {
            float want = DTypes.bf16ToFloat(DTypes.floatToBf16((float) Math.exp(new float[] {1f, 2f, -3f}[i])));
            assertEquals(want, e.toFloatArray()[i]);
        }
    }

    @Test
    void integerArithmeticIsRefusedWithTheFix() {
        Tensor i = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
        Tensor f = Tensor.of(new float[] {1, 2, 3}, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> i.add(f), "add", "I64", "[3]", "to(DType.F32)");
        assertThrowsWith(IllegalArgumentException.class, () -> f.mul(i), "mul", "I64");
        assertThrowsWith(IllegalArgumentException.class, () -> i.mul(2f), "mul", "I64");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ofInts(new int[] {1}, 1).exp(), "exp", "I32");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ofBools(new boolean[] {true}, 1).neg(),
                "neg", "BOOL");
        assertThrowsWith(IllegalArgumentException.class, () -> i.matmul(i), "matmul", "I64");
    }

    @Test
    void largeElementwiseCrossesTheParallelThreshold() {
        int prev = Parallel.threads();
        Parallel.setThreads(3);
        try {
            int rows = 70;
            int cols = 1025; // 71,750 elements over 70 rows: split into tasks
            float[] a = TestSupport.uniform(1, rows * cols, -3f, 3f);
            float[] b = TestSupport.uniform(2, cols, -3f, 3f);
            double[] want = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                want[i] = (float) ((double) a[i] * b[i % cols]);
            }
            for (Layouts.Laid l : Layouts.of(a, rows, cols)) {
                assertClose(want, l.tensor().mul(Tensor.of(b, cols)), 0, 0, "large mul " + l.name());
            }
            DoubleUnaryOperator th = ElementwiseTest::tanh;
            double[] wt = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                wt[i] = th.applyAsDouble(a[i]);
            }
            assertClose(wt, Tensor.of(a, rows, cols).t().tanh().t(), 1e-6, 1e-30, "large tanh, transposed");
        } finally {
            Parallel.setThreads(prev);
        }
    }

    @Test
    void emptyTensorsGiveEmptyResults() {
        Tensor e = Tensor.zeros(0, 3);
        assertShape(e.exp(), 0, 3);
        assertShape(e.add(Tensor.zeros(3)), 0, 3);
        if (e.add(1f).numel() != 0) {
            fail("empty");
        }
    }
}
