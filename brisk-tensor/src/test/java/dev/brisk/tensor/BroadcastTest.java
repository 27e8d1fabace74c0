package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertClose;
import static dev.brisk.tensor.TestSupport.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * Broadcasting over every axis pattern: for a rank-3 output, each operand may have any subset of its dims set
 * to 1 and may drop leading dims; each operand also comes in several memory layouts, including expanded views.
 */
class BroadcastTest {

    private static int[] masked(int[] full, int mask) {
        int[] s = full.clone();
        for (int d = 0; d < s.length; d++) {
            if ((mask >> d & 1) != 0) {
                s[d] = 1;
            }
        }
        return s;
    }

    @Test
    void everyAxisPatternOfTwoOperands() {
        int[] full = {3, 5, 17};
        for (int ma = 0; ma < 8; ma++) {
            for (int mb = 0; mb < 8; mb++) {
                int[] sa = masked(full, ma);
                int[] sb = masked(full, mb);
                int[] out = new int[3];
                for (int d = 0; d < 3; d++) {
                    out[d] = Math.max(sa[d], sb[d]);
                }
                float[] a = TestSupport.uniform(ma * 8 + mb, TestSupport.numel(sa), -4f, 4f);
                float[] b = TestSupport.uniform(100 + ma * 8 + mb, TestSupport.numel(sb), 0.5f, 4f);
                int n = TestSupport.numel(out);
                double[] sum = new double[n];
                double[] quot = new double[n];
                for (int i = 0; i < n; i++) {
                    int[] idx = TestSupport.unravel(i, out);
                    float x = a[TestSupport.broadcastFlat(idx, sa)];
                    float y = b[TestSupport.broadcastFlat(idx, sb)];
                    sum[i] = x + y;
                    quot[i] = (float) ((double) x / y);
                }
                for (Layouts.Laid la : Layouts.of(a, sa)) {
                    Tensor ta = la.tensor();
                    Tensor tb = Tensor.of(b, sb);
                    String what = "a" + java.util.Arrays.toString(sa) + " " + la.name() + " b"
                            + java.util.Arrays.toString(sb);
                    Tensor r = ta.add(tb);
                    assertShape(r, out);
                    assertClose(sum, r, 0, 0, "add " + what);
                    assertClose(quot, ta.div(tb), 0, 0, "div " + what);
                    // the same with b on the left: b / a reversed operands broadcast identically
                    assertClose(sum, tb.add(ta), 0, 0, "add reversed " + what);
                }
            }
        }
    }

    @Test
    void lowerRankOperandsAlignRight() {
        int[] out = {4, 3, 33};
        float[] a = TestSupport.uniform(1, 4 * 3 * 33, -1f, 1f);
        for (int[] sb : new int[][] {{33}, {3, 33}, {3, 1}, {1}, {}, {1, 1, 1, 33}}) {
            float[] b = TestSupport.uniform(2, TestSupport.numel(sb), -1f, 1f);
            int[] o = sb.length > 3 ? new int[] {1, 4, 3, 33} : out;
            int n = TestSupport.numel(o);
            double[] want = new double[n];
            for (int i = 0; i < n; i++) {
                int[] idx = TestSupport.unravel(i, o);
                want[i] = a[TestSupport.broadcastFlat(idx, out)] * b[TestSupport.broadcastFlat(idx, sb)]; // float product
            }
            Tensor r = Tensor.of(a, out).mul(Tensor.of(b, sb));
            assertArrayEquals(o, r.shape());
            assertClose(want, r, 0, 0, "mul by " + java.util.Arrays.toString(sb));
        }
    }

    @Test
    void expandedAndBroadcastViewsAsOperands() {
        float[] col = TestSupport.uniform(3, 129, -2f, 2f);
        float[] row = TestSupport.uniform(4, 15, -2f, 2f);
        Tensor c = Tensor.of(col, 129, 1).expand(129, 15); // stride-0 inner dim
        Tensor r = Tensor.of(row, 1, 15).expand(129, 15); // stride-0 outer dim
        double[] want = new double[129 * 15];
        for (int i = 0; i < 129; i++) {
            for (int j = 0; j < 15; j++) {
                want[i * 15 + j] = col[i] - row[j];
            }
        }
        assertClose(want, c.sub(r), 0, 0, "expanded - expanded");
        assertClose(want, c.sub(Tensor.of(row, 15)), 0, 0, "expanded - broadcast");
        // an expanded operand of a unary op (stride 0 innermost) is materialised correctly
        double[] e = new double[129 * 15];
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.abs(col[i / 15]);
        }
        assertClose(e, c.abs(), 0, 0, "abs of expanded");
        // a transposed operand broadcast against a column
        float[] m = TestSupport.uniform(5, 15 * 129, -2f, 2f);
        Tensor mt = Tensor.of(m, 15, 129).t(); // (129, 15), strides (1, 129)
        double[] w2 = new double[129 * 15];
        for (int i = 0; i < 129; i++) {
            for (int j = 0; j < 15; j++) {
                w2[i * 15 + j] = m[j * 129 + i] * col[i]; // float product, correctly rounded
            }
        }
        assertClose(w2, mt.mul(Tensor.of(col, 129, 1)), 0, 0, "transposed · column");
        assertClose(w2, Tensor.of(col, 129, 1).mul(mt), 0, 0, "column · transposed");
    }

    @Test
    void nchwTimesPerChannel() {
        int[] s = {2, 3, 5, 7};
        float[] x = TestSupport.uniform(6, TestSupport.numel(s), -1f, 1f);
        float[] g = {2f, -1f, 0.5f};
        double[] want = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = TestSupport.unravel(i, s)[1];
            want[i] = x[i] * g[ch];
        }
        assertClose(want, Tensor.of(x, s).mul(Tensor.of(g, 1, 3, 1, 1)), 0, 0, "(B,C,H,W)·(1,C,1,1)");
        assertClose(want, Tensor.of(x, s).mul(Tensor.of(g, 3, 1, 1)), 0, 0, "(B,C,H,W)·(C,1,1)");
    }
}
