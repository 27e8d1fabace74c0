package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** gather, scatterAdd, indexSelect, cat and stack against explicit index loops; out-of-range errors. */
class IndexOpsTest {

    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void gatherAlongEveryDim() {
        int[] shape = {3, 4, 5};
        float[] x = iota(60);
        int[] ishape = {2, 3, 4}; // smaller than x in the non-gathered dims
        for (int d = 0; d < 3; d++) {
            long[] idx = new long[24];
            for (int i = 0; i < 24; i++) {
                idx[i] = (i * 7 + d) % shape[d];
            }
            float[] want = new float[24];
            for (int i = 0; i < 24; i++) {
                int[] p = TestSupport.unravel(i, ishape);
                p[d] = (int) idx[i];
                want[i] = x[TestSupport.ravel(p, shape)];
            }
            for (Layouts.Laid l : Layouts.of(x, shape)) {
                Tensor g = l.tensor().gather(d, Tensor.ofLongs(idx, ishape));
                assertShape(g, ishape);
                assertArrayEquals(want, g.toFloatArray(), "gather dim " + d + " " + l.name());
            }
            // I32 index and a transposed index tensor give the same
            int[] i32 = new int[24];
            for (int i = 0; i < 24; i++) {
                i32[i] = (int) idx[i];
            }
            assertArrayEquals(want, Tensor.of(x, shape).gather(d, Tensor.ofInts(i32, ishape)).toFloatArray());
        }
        // the classic use: pick the label's logit per row
        Tensor logits = Tensor.of(new float[] {0.1f, 0.2f, 0.7f, 0.5f, 0.4f, 0.1f}, 2, 3);
        Tensor picked = logits.gather(1, Tensor.ofLongs(new long[] {2, 0}, 2, 1));
        assertArrayEquals(new float[] {0.7f, 0.5f}, picked.toFloatArray());
        // dtype is kept (I64 source)
        Tensor li = Tensor.ofLongs(new long[] {10, 20, 30}, 3).gather(0, Tensor.ofLongs(new long[] {2, 2, 0}, 3));
        assertEquals(DType.I64, li.dtype());
        assertArrayEquals(new long[] {30, 30, 10}, li.toLongArray());
    }

    @Test
    void gatherErrors() {
        Tensor x = Tensor.zeros(3, 4);
        assertThrowsWith(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.ofLongs(new long[] {4}, 1, 1)),
                "gather", "4", "size 4");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> x.gather(0, Tensor.ofLongs(new long[] {-4}, 1, 1)),
                "gather", "-4");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(0, Tensor.ofLongs(new long[] {0}, 1)),
                "gather", "[1]", "[3,4]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(0, Tensor.zeros(1, 1)), "gather", "F32");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(0, Tensor.ofLongs(new long[5], 1, 5)),
                "gather", "[1,5]", "[3,4]");
    }

    @Test
    void scatterAddAccumulatesRepeats() {
        int[] shape = {3, 5};
        float[] base = iota(15);
        long[] idx = {0, 4, 4, 1, 0, 2, 2, 2}; // (2,4) along dim 1, with repeats
        float[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // (3,4): only the first 2 rows and 4 cols are used
        float[] want = base.clone();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                want[i * 5 + (int) idx[i * 4 + j]] += src[i * 4 + j];
            }
        }
        Tensor r = Tensor.of(base, shape).scatterAdd(1, Tensor.ofLongs(idx, 2, 4), Tensor.of(src, 3, 4));
        assertArrayEquals(want, r.toFloatArray());
        assertEquals(0f + 1, r.getFloat(0, 0), "hand check: base 0 + src[0][0]");
        assertEquals(4f + 2 + 3, r.getFloat(0, 4), "hand check: repeats sum: base 4 + src[0][1] + src[0][2]");
        // the input is not modified
        assertEquals(0f, base[0]);
        // along dim 0, from a transposed source
        long[] idx0 = {2, 0, 1, 2, 2, 2, 0, 0, 1, 1};
        float[] s0 = iota(10);
        float[] w0 = new float[15];
        Tensor srcT = Tensor.of(s0, 5, 2).t(); // (2,5): srcT[i][j] = s0[j*2+i]
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                w0[(int) idx0[i * 5 + j] * 5 + j] += s0[j * 2 + i];
            }
        }
        assertArrayEquals(w0, Tensor.zeros(3, 5).scatterAdd(0, Tensor.ofLongs(idx0, 2, 5), srcT).toFloatArray());
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> Tensor.zeros(3, 5).scatterAdd(0, Tensor.ofLongs(new long[] {3}, 1, 1), Tensor.ones(1, 1)),
                "scatterAdd", "3");
        assertThrowsWith(IllegalArgumentException.class,
                () -> Tensor.zeros(3, 5).scatterAdd(0, Tensor.ofLongs(new long[] {0, 0}, 1, 2), Tensor.ones(1, 1)),
                "scatterAdd", "[1,2]", "[1,1]");
    }

    @Test
    void indexSelectRowsAndColumns() {
        float[] x = iota(4 * 6);
        Tensor t = Tensor.of(x, 4, 6);
        long[] rows = {3, 0, 3, -1};
        Tensor r = t.indexSelect(0, Tensor.ofLongs(rows, 4));
        assertShape(r, 4, 6);
        for (int i = 0; i < 4; i++) {
            int row = (int) (rows[i] < 0 ? rows[i] + 4 : rows[i]);
            for (int j = 0; j < 6; j++) {
                assertEquals(x[row * 6 + j], r.getFloat(i, j));
            }
        }
        Tensor c = t.t().indexSelect(1, Tensor.ofInts(new int[] {1, 2}, 2)); // (6,2): columns 1,2 of t.t()
        assertShape(c, 6, 2);
        for (int j = 0; j < 6; j++) {
            assertEquals(x[1 * 6 + j], c.getFloat(j, 0));
            assertEquals(x[2 * 6 + j], c.getFloat(j, 1));
        }
        // embedding lookup on a bf16 table keeps the dtype and the bits
        Tensor table = Tensor.of(x, 4, 6).to(DType.BF16);
        Tensor e = table.indexSelect(0, Tensor.ofLongs(new long[] {2}, 1));
        assertEquals(DType.BF16, e.dtype());
        assertArrayEquals(new float[] {12, 13, 14, 15, 16, 17}, e.toFloatArray());
        assertThrowsWith(IndexOutOfBoundsException.class, () -> t.indexSelect(0, Tensor.ofLongs(new long[] {4}, 1)),
                "indexSelect", "4");
        assertThrowsWith(IllegalArgumentException.class, () -> t.indexSelect(0, Tensor.ofLongs(new long[4], 2, 2)),
                "indexSelect", "[2,2]");
        assertShape(t.indexSelect(1, Tensor.ofLongs(new long[0], 0)), 4, 0);
    }

    @Test
    void catAndStack() {
        Tensor a = Tensor.of(iota(6), 2, 3);
        Tensor b = Tensor.of(new float[] {10, 11, 12}, 1, 3);
        Tensor c0 = Tensor.cat(0, a, b);
        assertShape(c0, 3, 3);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12}, c0.toFloatArray());
        Tensor at = Tensor.of(iota(6), 3, 2).t(); // [[0,2,4],[1,3,5]]
        Tensor c1 = Tensor.cat(-1, a, at, Tensor.zeros(2, 0));
        assertShape(c1, 2, 6);
        assertArrayEquals(new float[] {0, 1, 2, 0, 2, 4, 3, 4, 5, 1, 3, 5}, c1.toFloatArray());
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, a, Tensor.zeros(1, 2)), "cat", "[2,3]",
                "[1,2]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0), "cat");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(2, a, a), "cat", "dim 2");

        Tensor s = Tensor.stack(0, a, a.mul(2f));
        assertShape(s, 2, 2, 3);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 0, 2, 4, 6, 8, 10}, s.toFloatArray());
        Tensor s2 = Tensor.stack(-1, a, at);
        assertShape(s2, 2, 3, 2);
        assertArrayEquals(new float[] {0, 0, 1, 2, 2, 4, 3, 1, 4, 3, 5, 5}, s2.toFloatArray());
        Tensor s1 = Tensor.stack(1, Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {3, 4}, 2));
        assertArrayEquals(new float[] {1, 3, 2, 4}, s1.toFloatArray());
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.stack(0, a, b), "stack", "[2,3]", "[1,3]");
        assertThrows(IllegalArgumentException.class, () -> Tensor.stack(0));
        // integer tensors
        Tensor li = Tensor.cat(0, Tensor.ofLongs(new long[] {1L << 60}, 1), Tensor.ofLongs(new long[] {-2}, 1));
        assertArrayEquals(new long[] {1L << 60, -2}, li.toLongArray());
    }
}
