package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Comparisons (float with NaN, integers compared exactly, mixed, broadcast, strided) and where. */
class CompareWhereTest {

    private static boolean[] bools(Tensor t) {
        assertEquals(DType.BOOL, t.dtype());
        Tensor c = t.contiguous();
        boolean[] b = new boolean[c.numel()];
        System.arraycopy(c.storage().bools(), c.offset(), b, 0, b.length);
        return b;
    }

    @Test
    void floatComparisonsIncludingNaN() {
        float[] a = {1f, 2f, Float.NaN, -0f, Float.NEGATIVE_INFINITY, 3f};
        float[] b = {1f, 1f, Float.NaN, 0f, -1f, Float.NaN};
        Tensor x = Tensor.of(a, 6);
        Tensor y = Tensor.of(b, 6);
        boolean[] eq = new boolean[6];
        boolean[] ne = new boolean[6];
        boolean[] lt = new boolean[6];
        boolean[] le = new boolean[6];
        boolean[] gt = new boolean[6];
        boolean[] ge = new boolean[6];
        for (int i = 0; i < 6; i++) {
            eq[i] = a[i] == b[i];
            ne[i] = a[i] != b[i];
            lt[i] = a[i] < b[i];
            le[i] = a[i] <= b[i];
            gt[i] = a[i] > b[i];
            ge[i] = a[i] >= b[i];
        }
        assertArrayEquals(new boolean[] {true, false, false, true, false, false}, eq, "hand check of the oracle");
        assertArrayEquals(eq, bools(x.eq(y)), "eq");
        assertArrayEquals(ne, bools(x.ne(y)), "ne");
        assertArrayEquals(lt, bools(x.lt(y)), "lt");
        assertArrayEquals(le, bools(x.le(y)), "le");
        assertArrayEquals(gt, bools(x.gt(y)), "gt");
        assertArrayEquals(ge, bools(x.ge(y)), "ge");
    }

    @Test
    void integerComparisonsAreExact() {
        long big = (1L << 53) + 1; // not representable as float or double
        Tensor x = Tensor.ofLongs(new long[] {big, -5, 7, Long.MAX_VALUE}, 4);
        Tensor y = Tensor.ofLongs(new long[] {1L << 53, -5, 8, Long.MAX_VALUE - 1}, 4);
        assertArrayEquals(new boolean[] {false, true, false, false}, bools(x.eq(y)));
        assertArrayEquals(new boolean[] {true, false, false, true}, bools(x.gt(y)));
        assertArrayEquals(new boolean[] {false, true, true, false}, bools(x.le(y)));
        // I32 against I64, broadcast: accuracy check labels == predictions
        Tensor pred = Tensor.ofInts(new int[] {0, 2, 1, 1, 0, 2}, 2, 3);
        Tensor labels = Tensor.ofLongs(new long[] {0, 1, 2}, 3);
        assertArrayEquals(new boolean[] {true, false, false, false, false, true}, bools(pred.eq(labels)));
        assertArrayEquals(new boolean[] {false, true, true, true, true, false}, bools(pred.ne(labels)));
        // a transposed integer operand
        Tensor pt = Tensor.ofInts(new int[] {0, 1, 2, 1, 0, 2}, 3, 2).t(); // [[0,2,0],[1,1,2]]
        assertArrayEquals(new boolean[] {true, false, false, false, true, true}, bools(pt.eq(labels)));
        // BOOL vs BOOL
        Tensor m = Tensor.ofBools(new boolean[] {true, false}, 2);
        assertArrayEquals(new boolean[] {false, true}, bools(m.lt(Tensor.ofBools(new boolean[] {true, true}, 2))));
    }

    @Test
    void mixedIntegerAndFloat() {
        Tensor i = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
        Tensor f = Tensor.of(new float[] {1.5f, 2f, 2.5f}, 3);
        assertArrayEquals(new boolean[] {true, false, false}, bools(i.lt(f)));
        assertArrayEquals(new boolean[] {false, true, false}, bools(i.eq(f)));
        assertArrayEquals(new boolean[] {false, true, true}, bools(i.ge(Tensor.scalar(2f))));
    }

    @Test
    void broadcastAndStridedComparisons() {
        int rows = 33;
        int cols = 17;
        float[] a = TestSupport.uniform(1, rows * cols, -1f, 1f);
        float[] t = TestSupport.uniform(2, cols, -1f, 1f);
        boolean[] want = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                want[r * cols + c] = a[r * cols + c] > t[c];
            }
        }
        for (Layouts.Laid l : Layouts.of(a, rows, cols)) {
            assertArrayEquals(want, bools(l.tensor().gt(Tensor.of(t, cols))), l.name());
        }
        // bf16 operands are compared after widening
        Tensor bf = Tensor.of(new float[] {1f, 1f + 0x1p-8f}, 2).to(DType.BF16); // both become 1.0
        assertArrayEquals(new boolean[] {true, true}, bools(bf.eq(Tensor.scalar(1f))));
        assertShape(Tensor.zeros(3, 1).lt(Tensor.zeros(1, 4)), 3, 4);
    }

    @Test
    void whereSelectsWithBroadcasting() {
        boolean[] cond = {true, false, true};
        Tensor c = Tensor.ofBools(cond, 3, 1);
        float[] a = TestSupport.uniform(1, 12, -1f, 1f);
        Tensor x = Tensor.of(a, 3, 4);
        Tensor y = Tensor.scalar(-9f);
        Tensor w = Tensor.where(c, x, y);
        assertShape(w, 3, 4);
        float[] got = w.toFloatArray();
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(cond[r] ? a[r * 4 + j] : -9f, got[r * 4 + j]);
            }
        }
        // condition transposed, a broadcast row, b transposed
        Tensor ct = Tensor.ofBools(new boolean[] {true, false, false, true, true, false}, 2, 3).t(); // (3,2)
        Tensor row = Tensor.of(new float[] {10f, 20f}, 2);
        Tensor bt = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t(); // [[1,4],[2,5],[3,6]]
        // ct = [[T,T],[F,T],[F,F]]
        assertArrayEquals(new float[] {10, 20, 2, 20, 3, 6}, Tensor.where(ct, row, bt).toFloatArray());
        // dtype: bf16 with a 0-dim f32 stays bf16, bf16 with f32 -> f32
        Tensor bf = Tensor.of(new float[] {1, 2, 3}, 3).to(DType.BF16);
        assertEquals(DType.BF16, Tensor.where(Tensor.ofBools(cond, 3), bf, Tensor.scalar(0f)).dtype());
        assertEquals(DType.F32, Tensor.where(Tensor.ofBools(cond, 3), bf, Tensor.zeros(3)).dtype());
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(Tensor.zeros(3), x, y), "where", "BOOL");
    }

    @Test
    void largeComparisonCrossesTheParallelThreshold() {
        int n = 40_000;
        float[] a = TestSupport.uniform(9, n, -1f, 1f);
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            want[i] = a[i] >= 0;
        }
        Tensor x = Tensor.of(a, 200, 200);
        assertArrayEquals(want, bools(x.ge(Tensor.scalar(0f))));
        long[] li = new long[n];
        for (int i = 0; i < n; i++) {
            li[i] = i % 7;
        }
        boolean[] w2 = new boolean[n];
        for (int i = 0; i < n; i++) {
            w2[i] = i % 7 == (i % 200) % 7;
        }
        Tensor l = Tensor.ofLongs(li, 200, 200);
        long[] rowIds = new long[200];
        for (int j = 0; j < 200; j++) {
            rowIds[j] = j % 7;
        }
        assertArrayEquals(w2, bools(l.eq(Tensor.ofLongs(rowIds, 200))));
    }
}
