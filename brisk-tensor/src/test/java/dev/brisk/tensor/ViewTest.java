package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Strided views share storage and never copy; reshape/contiguous copy only when the layout requires it. */
class ViewTest {

    /** 0..n-1 as floats in a (d0, d1, ...) tensor; element value == its row-major flat index. */
    private static Tensor iota(int... shape) {
        int n = TestSupport.numel(shape);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return Tensor.wrap(DType.F32, a, shape);
    }

    @Test
    void viewSharesStorageAndWritesAreVisible() {
        Tensor t = iota(2, 3, 4);
        Tensor v = t.view(6, 4);
        assertSame(t.storage(), v.storage());
        assertShape(v, 6, 4);
        assertArrayEquals(new int[] {4, 1}, v.strides());
        assertEquals(13f, v.getFloat(3, 1)); // flat 3*4+1
        v.set(-7, 5, 3);
        assertEquals(-7f, t.getFloat(1, 2, 3)); // flat 23
        assertEquals(-7f, t.storage().floats()[23]);
        Tensor w = t.view(-1);
        assertShape(w, 24);
        assertShape(t.view(4, -1, 2), 4, 3, 2);
    }

    @Test
    void viewRejectsBadShapes() {
        Tensor t = iota(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> t.view(4, 2), "view", "[4,2]", "[2,3]");
        assertThrowsWith(IllegalArgumentException.class, () -> t.view(-1, -1), "only one dimension can be -1");
        assertThrowsWith(IllegalArgumentException.class, () -> t.view(4, -1), "[4,-1]", "[2,3]");
        assertThrowsWith(IllegalArgumentException.class, () -> t.view(-2, 3), "invalid size -2");
    }

    @Test
    void viewOfTransposedNeedsACopyAndSaysSo() {
        Tensor t = iota(2, 3).t(); // shape [3,2], strides [1,3]
        assertFalse(t.isContiguous());
        var e = assertThrowsWith(IllegalArgumentException.class, () -> t.view(6), "view", "[3,2]", "[6]", "reshape");
        assertTrue(e.getMessage().contains("[1,3]"), "names the strides: " + e.getMessage());
        Tensor r = t.reshape(6);
        assertNotSame(t.storage(), r.storage());
        // t[i][j] = original[j][i] = j*3+i; row-major over (3,2)
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
        r.set(100, 0);
        assertEquals(0f, t.getFloat(0, 0), "reshape's copy is independent");
    }

    @Test
    void viewsThatSplitOrMergeOnlyContiguousGroupsNeedNoCopy() {
        Tensor base = iota(4, 6);
        Tensor rows = base.narrow(0, 1, 2); // rows 1..2, still contiguous rows
        Tensor v = rows.view(2, 2, 3);
        assertSame(base.storage(), v.storage());
        assertEquals(6 + 5f, v.getFloat(0, 1, 2)); // row 1, col 5
        Tensor cols = base.narrow(1, 1, 4); // [4,4] strides [6,1]: dims can be split but not merged
        Tensor split = cols.view(4, 2, 2);
        assertSame(base.storage(), split.storage());
        assertEquals(3 * 6 + 1 + 3f, split.getFloat(3, 1, 1));
        assertThrowsWith(IllegalArgumentException.class, () -> cols.view(16), "[4,4]", "[16]");
        Tensor r = cols.reshape(16);
        assertEquals(2 * 6 + 1 + 3f, r.getFloat(11));
        Tensor same = base.reshape(3, 8);
        assertSame(base.storage(), same.storage(), "reshape of a contiguous tensor is a view");
        // transposed then viewed only in a way that keeps each dim whole
        Tensor tt = iota(2, 3, 4).transpose(0, 2); // [4,3,2]
        Tensor u = tt.view(4, 3, 1, 2);
        assertSame(tt.storage(), u.storage());
        assertEquals(1 * 12 + 2 * 4 + 3f, u.getFloat(3, 2, 0, 1));
    }

    @Test
    void permuteTransposeAndT() {
        int[] shape = {2, 3, 4};
        Tensor x = iota(shape);
        Tensor p = x.permute(2, 0, 1);
        assertShape(p, 4, 2, 3);
        assertSame(x.storage(), p.storage());
        assertArrayEquals(new int[] {1, 12, 4}, p.strides());
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 2; b++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(b * 12 + c * 4 + a, p.getFloat(a, b, c));
                }
            }
        }
        Tensor t = x.transpose(-1, 0);
        assertShape(t, 4, 3, 2);
        assertEquals(1 * 12 + 2 * 4 + 3, t.getFloat(3, 2, 1));
        Tensor m = iota(3, 5).t();
        assertShape(m, 5, 3);
        assertEquals(2 * 5 + 4, m.getFloat(4, 2));
        assertShape(x.t(), 2, 4, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> iota(3).t(), "t", "[3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.permute(0, 1), "permute", "[2,3,4]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.permute(0, 1, 1), "permute", "repeated");
        assertThrowsWith(IllegalArgumentException.class, () -> x.permute(0, 1, 3), "permute", "dim 3");
        // the permuted view's contiguous copy is in the permuted order
        float[] c = p.contiguous().toFloatArray();
        for (int i = 0; i < 24; i++) {
            int[] idx = TestSupport.unravel(i, new int[] {4, 2, 3});
            assertEquals(idx[1] * 12 + idx[2] * 4 + idx[0], c[i]);
        }
    }

    @Test
    void narrowSliceAndSelect() {
        Tensor x = iota(5, 7);
        Tensor n = x.narrow(1, 2, 3);
        assertShape(n, 5, 3);
        assertSame(x.storage(), n.storage());
        assertEquals(2, n.offset());
        assertEquals(4 * 7 + 4f, n.getFloat(4, 2));
        assertThrowsWith(IllegalArgumentException.class, () -> x.narrow(1, 5, 3), "narrow", "[5, 8)", "size 7");
        assertThrowsWith(IllegalArgumentException.class, () -> x.narrow(2, 0, 1), "narrow", "dim 2");

        Tensor s = x.slice(1, 1, 7, 2); // cols 1,3,5
        assertShape(s, 5, 3);
        assertArrayEquals(new int[] {7, 2}, s.strides());
        assertEquals(2 * 7 + 5f, s.getFloat(2, 2));
        Tensor neg = x.slice(-1, -3, -1, 1); // cols 4,5
        assertShape(neg, 5, 2);
        assertEquals(4f, neg.getFloat(0, 0));
        assertEquals(7 + 5f, neg.getFloat(1, 1));
        Tensor stepped = x.slice(0, 0, 100, 3); // rows 0,3 (end clamps)
        assertShape(stepped, 2, 7);
        assertEquals(3 * 7 + 6f, stepped.getFloat(1, 6));
        assertShape(x.slice(0, 4, 2, 1), 0, 7); // empty
        assertShape(x.slice(1, 0, 7, 3), 5, 3); // cols 0,3,6
        assertEquals(6f, x.slice(1, 0, 7, 3).getFloat(0, 2));
        assertThrowsWith(IllegalArgumentException.class, () -> x.slice(0, 0, 5, 0), "slice", "step");
        // slice of a slice composes strides
        Tensor ss = x.slice(1, 1, 7, 2).slice(1, 1, 3, 1); // cols 3,5
        assertEquals(4 * 7 + 5f, ss.getFloat(4, 1));

        Tensor row = x.select(0, 3);
        assertShape(row, 7);
        assertEquals(3 * 7 + 6f, row.getFloat(6));
        Tensor col = x.select(1, -1);
        assertShape(col, 5);
        assertEquals(2 * 7 + 6f, col.getFloat(2));
        assertThrowsWith(IllegalArgumentException.class, () -> x.select(0, 5), "select", "index 5");
        assertThrowsWith(IllegalArgumentException.class, () -> x.select(0, -6), "select", "index -6");
        col.set(-1, 0);
        assertEquals(-1f, x.getFloat(0, 6), "select is a view");
    }

    @Test
    void expandUsesStrideZero() {
        Tensor c = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = c.expand(2, 3, 4);
        assertShape(e, 2, 3, 4);
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        assertSame(c.storage(), e.storage());
        for (int a = 0; a < 2; a++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(i + 1f, e.getFloat(a, i, j));
                }
            }
        }
        assertShape(c.expand(-1, 5), 3, 5);
        assertShape(Tensor.scalar(2f).expand(2, 2), 2, 2);
        assertThrowsWith(IllegalArgumentException.class, () -> c.expand(4, 4), "expand", "[3,1]", "[4,4]");
        assertThrowsWith(IllegalArgumentException.class, () -> c.expand(3), "expand", "[3,1]", "[3]");
        assertThrowsWith(IllegalArgumentException.class, () -> c.expand(-1, 3, 1), "expand", "-1");
        // a contiguous copy of an expanded view materialises the repeats
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3}, c.expand(3, 2).contiguous().toFloatArray());
    }

    @Test
    void broadcastErrorsNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        assertThrowsWith(IllegalArgumentException.class, () -> a.add(b), "add", "[2,3]", "[4]");
        assertThrowsWith(IllegalArgumentException.class, () -> a.mul(Tensor.zeros(3, 3)), "mul", "[2,3]", "[3,3]");
        assertThrowsWith(IllegalArgumentException.class, () -> a.lt(Tensor.zeros(2, 2)), "lt", "[2,3]", "[2,2]");
        assertThrowsWith(IllegalArgumentException.class,
                () -> Tensor.where(Tensor.zeros(DType.BOOL, 5), a, a), "where", "[5]", "[2,3]");
    }

    @Test
    void squeezeUnsqueezeFlatten() {
        Tensor x = iota(2, 1, 3, 1);
        assertShape(x.squeeze(), 2, 3);
        assertShape(x.squeeze(1), 2, 3, 1);
        assertShape(x.squeeze(-1), 2, 1, 3);
        assertSame(x, x.squeeze(0), "squeezing a non-1 dim is a no-op");
        assertShape(x.unsqueeze(0), 1, 2, 1, 3, 1);
        assertShape(x.unsqueeze(-1), 2, 1, 3, 1, 1);
        assertShape(x.unsqueeze(2), 2, 1, 1, 3, 1);
        assertEquals(5f, x.unsqueeze(2).getFloat(1, 0, 0, 2, 0));
        assertShape(Tensor.scalar(1f).unsqueeze(0), 1);
        assertThrowsWith(IllegalArgumentException.class, () -> x.unsqueeze(6), "unsqueeze", "dim 6");

        Tensor y = iota(2, 3, 4, 5);
        Tensor f = y.flatten(1, 2);
        assertShape(f, 2, 12, 5);
        assertSame(y.storage(), f.storage());
        assertShape(y.flatten(0, -1), 120);
        assertShape(Tensor.scalar(3f).flatten(0, -1), 1);
        Tensor tf = y.transpose(1, 2).flatten(1, 2); // [2,4,3,5] -> [2,12,5], needs a copy
        assertNotSame(y.storage(), tf.storage());
        // tf[a][k*3+j][l] = y[a][j][k][l]
        assertEquals(1 * 60 + 2 * 20 + 3 * 5 + 4f, tf.getFloat(1, 3 * 3 + 2, 4));
        // unsqueeze of a transposed view stays a view
        Tensor tu = y.t().unsqueeze(1);
        assertSame(y.storage(), tu.storage());
        assertEquals(1 * 60 + 2 * 20 + 3 * 5 + 4f, tu.getFloat(1, 0, 2, 4, 3));
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = iota(3, 4);
        assertSame(x, x.contiguous());
        Tensor row = x.narrow(0, 1, 1);
        assertSame(row, row.contiguous(), "a contiguous slice with an offset is already contiguous");
        Tensor t = x.t();
        Tensor c = t.contiguous();
        assertNotSame(t.storage(), c.storage());
        assertTrue(c.isContiguous());
        assertEquals(0, c.offset());
        for (int i = 0; i < 12; i++) {
            int[] idx = TestSupport.unravel(i, new int[] {4, 3});
            assertEquals(idx[1] * 4 + idx[0], c.toFloatArray()[i]);
        }
        Tensor copy = x.copy();
        assertNotSame(x.storage(), copy.storage());
        assertArrayEquals(x.toFloatArray(), copy.toFloatArray());
    }

    @Test
    void toDtypeConvertsAndCopies() {
        Tensor x = Tensor.of(new float[] {1.9f, -1.9f, 0f, 3.5f, 1e10f, Float.NaN}, 6);
        assertSame(x, x.to(DType.F32));
        assertArrayEquals(new long[] {1, -1, 0, 3, 10_000_000_000L, 0}, x.to(DType.I64).toLongArray(),
                "float -> long truncates toward zero (NaN -> 0, as a Java cast)");
        Tensor i32 = Tensor.of(new float[] {2.7f, -2.7f, 127f}, 3).to(DType.I32);
        assertArrayEquals(new int[] {2, -2, 127}, i32.storage().ints());
        Tensor i8 = Tensor.of(new float[] {200f, -1f}, 2).to(DType.I8);
        assertArrayEquals(new byte[] {(byte) 200, -1}, i8.storage().bytes(), "integers wrap like a Java cast");
        Tensor b = Tensor.of(new float[] {0f, -0f, 2f, Float.NaN}, 4).to(DType.BOOL);
        assertArrayEquals(new boolean[] {false, false, true, true}, b.storage().bools());
        Tensor l = Tensor.ofLongs(new long[] {5, -3, 1L << 40}, 3);
        assertArrayEquals(new float[] {5f, -3f, 0x1p40f}, l.to(DType.F32).toFloatArray());
        assertArrayEquals(new int[] {5, -3, 0}, l.to(DType.I32).storage().ints(), "long -> int wraps");
        assertArrayEquals(new float[] {1f, 0f}, Tensor.ofBools(new boolean[] {true, false}, 2).to(DType.F32)
                .toFloatArray());
        // a strided source converts in logical order
        Tensor t = iota(2, 3).t().to(DType.BF16);
        assertEquals(DType.BF16, t.dtype());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.toFloatArray());
        Tensor h = t.to(DType.F16);
        assertEquals(DType.F16, h.dtype());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, h.toFloatArray());
    }

    @Test
    void copyFromBroadcastsConvertsAndWritesThroughViews() {
        Tensor dst = Tensor.zeros(3, 4);
        dst.copyFrom(Tensor.of(new float[] {1, 2, 3, 4}, 4));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(j + 1f, dst.getFloat(i, j));
            }
        }
        // into a transposed view of the destination: dst.t()[j][i] = src[j][i]
        Tensor src = iota(4, 3);
        dst.t().copyFrom(src);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(j * 3 + i, dst.getFloat(i, j));
            }
        }
        // into a strided slice only touches that slice
        Tensor z = Tensor.zeros(2, 6);
        z.slice(1, 1, 6, 2).copyFrom(Tensor.scalar(9f));
        assertArrayEquals(new float[] {0, 9, 0, 9, 0, 9, 0, 9, 0, 9, 0, 9}, z.toFloatArray());
        // converting copy into BF16 rounds to nearest even
        Tensor bf = Tensor.zeros(DType.BF16, 2);
        bf.copyFrom(Tensor.of(new float[] {1f + 0x1p-8f, 1f + 0x1p-7f + 0x1p-8f}, 2));
        assertEquals(0x3F80, bf.storage().shorts()[0]);
        assertEquals(0x3F82, bf.storage().shorts()[1]);
        // longs into an int tensor
        Tensor ints = Tensor.zeros(DType.I32, 3);
        ints.copyFrom(Tensor.ofLongs(new long[] {7, -8, 9}, 3));
        assertArrayEquals(new int[] {7, -8, 9}, ints.storage().ints());
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).copyFrom(Tensor.zeros(3, 2)),
                "[3,2]", "[2,3]");
    }

    @Test
    void largeStridedCopyCrossesTheParallelThreshold() {
        int rows = 300;
        int cols = 257;
        Tensor x = iota(rows, cols);
        Tensor c = x.t().contiguous(); // 77,100 elements, split over the pool
        float[] v = c.toFloatArray();
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                if (v[j * rows + i] != i * cols + j) {
                    throw new AssertionError("at (" + j + "," + i + "): " + v[j * rows + i]);
                }
            }
        }
    }
}
