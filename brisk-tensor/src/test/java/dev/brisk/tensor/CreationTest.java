package dev.brisk.tensor;

import static dev.brisk.tensor.TestSupport.assertShape;
import static dev.brisk.tensor.TestSupport.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Factories, storage, element access, Rng determinism and allClose. */
class CreationTest {

    @Test
    void factories() {
        Tensor z = Tensor.zeros(2, 3);
        assertShape(z, 2, 3);
        assertEquals(DType.F32, z.dtype());
        assertArrayEquals(new int[] {3, 1}, z.strides());
        assertArrayEquals(new float[6], z.toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toFloatArray());
        assertArrayEquals(new float[] {2.5f, 2.5f}, Tensor.full(2.5f, 2).toFloatArray());
        Tensor fb = Tensor.full(DType.BF16, 1 + 0x1p-8, 2);
        assertEquals(DType.BF16, fb.dtype());
        assertEquals(0x3F80, fb.storage().shorts()[1], "full rounds to nearest even");
        assertArrayEquals(new long[] {7, 7}, Tensor.full(DType.I64, 7, 2).toLongArray());
        Tensor s = Tensor.scalar(3f);
        assertEquals(0, s.dim());
        assertEquals(1, s.numel());
        assertEquals(3f, s.item());
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toFloatArray());
        assertArrayEquals(new long[] {5, 3, 1}, Tensor.arange(DType.I64, 5, 0, -2).toLongArray());
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f}, Tensor.arange(DType.F32, 0, 1, 0.25).toFloatArray());
        assertShape(Tensor.arange(DType.F32, 3, 1, 1), 0);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(DType.F32, 0, 1, 0), "arange", "step");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, -1), "negative");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(1 << 16, 1 << 16), "2^31");
        assertShape(Tensor.zeros(0, 5), 0, 5);
        assertTrue(Tensor.zeros(0, 5).isContiguous());
    }

    @Test
    void ofCopiesWrapDoesNot() {
        float[] data = {1, 2, 3, 4};
        Tensor copied = Tensor.of(data, 2, 2);
        Tensor wrapped = Tensor.wrap(DType.F32, data, 2, 2);
        data[0] = 9;
        assertEquals(1f, copied.getFloat(0, 0));
        assertEquals(9f, wrapped.getFloat(0, 0));
        assertSame(data, wrapped.storage().floats());
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(data, 3, 2), "[3,2]", "6", "4");
        assertThrows(ClassCastException.class, () -> Tensor.wrap(DType.I64, data, 4));
        assertEquals(DType.I64, Tensor.ofLongs(new long[] {1}, 1).dtype());
        assertEquals(DType.I32, Tensor.ofInts(new int[] {1}, 1).dtype());
        assertEquals(DType.BOOL, Tensor.ofBools(new boolean[] {true}, 1).dtype());
    }

    @Test
    void storageAccessorsAndConversions() {
        Storage s = Storage.allocate(DType.BF16, 3);
        assertEquals(3, s.length());
        assertEquals(6, s.byteSize());
        s.set(0, 1.0 + 0x1p-7 + 0x1p-8); // tie above an odd value -> up
        assertEquals(0x3F82, s.shorts()[0]);
        assertEquals(1 + 0x1p-6, s.get(0));
        assertThrowsWith(IllegalStateException.class, s::floats, "BF16", "F32");
        Storage h = Storage.allocate(DType.F16, 1);
        h.set(0, 65520);
        assertEquals(Double.POSITIVE_INFINITY, h.get(0));
        Storage i8 = Storage.allocate(DType.I8, 2);
        i8.set(0, 130.9);
        assertEquals(-126, i8.getLong(0), "truncate then wrap, as a Java cast");
        i8.setLong(1, -1);
        assertEquals(-1.0, i8.get(1));
        Storage b = Storage.allocate(DType.BOOL, 2);
        b.set(0, 0.5);
        b.setLong(1, 0);
        assertEquals(1, b.getLong(0));
        assertEquals(0.0, b.get(1));
        Storage l = Storage.allocate(DType.I64, 1);
        l.setLong(0, Long.MIN_VALUE);
        assertEquals(Long.MIN_VALUE, l.getLong(0));
        assertThrowsWith(IllegalArgumentException.class, () -> Storage.allocate(DType.F32, -1), "negative");
        assertEquals(8, DType.I64.byteSize());
        assertEquals(2, DType.F16.byteSize());
        assertFalse(DType.I32.isFloatingPoint());
        assertEquals("BF16", DType.BF16.safetensorsName());
    }

    @Test
    void elementAccessChecksBounds() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(6f, t.getFloat(1, 2));
        assertEquals(6L, t.getLong(1, 2));
        t.set(-1.5, 0, 1);
        assertEquals(-1.5f, t.storage().floats()[1]);
        assertThrowsWith(IndexOutOfBoundsException.class, () -> t.getFloat(2, 0), "[2,0]", "[2,3]");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> t.getFloat(0, -1), "[0,-1]");
        assertThrowsWith(IllegalArgumentException.class, () -> t.getFloat(0), "[0]", "[2,3]");
        assertThrowsWith(IllegalStateException.class, t::item, "item", "6");
        assertEquals(5f, t.narrow(1, 1, 1).narrow(0, 1, 1).item());
        assertEquals("tensor([1.0, -1.5, 3.0, 4.0, 5.0, 6.0], shape=[2,3], dtype=F32)", t.toString());
        assertEquals("tensor([3, 4], shape=[2], dtype=I64)", Tensor.ofLongs(new long[] {3, 4}, 2).toString());
        assertEquals(Device.CPU, t.device());
        assertEquals(3, t.size(-1));
        assertThrowsWith(IllegalArgumentException.class, () -> t.size(2), "size", "dim 2");
    }

    @Test
    void rngIsDeterministicAndSplittable() {
        Rng a = new Rng(42);
        Rng b = new Rng(42);
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
        assertNotEquals(new Rng(1).nextLong(), new Rng(2).nextLong());
        Rng s1 = new Rng(5).split();
        Rng s2 = new Rng(5).split();
        assertEquals(s1.nextDouble(), s2.nextDouble());
        Tensor u = Tensor.rand(new Rng(3), 10_000);
        float[] v = u.toFloatArray();
        double mean = 0;
        for (float f : v) {
            assertTrue(f >= 0 && f < 1);
            mean += f;
        }
        assertEquals(0.5, mean / v.length, 0.02);
        float[] n = Tensor.randn(new Rng(3), 20_000).toFloatArray();
        double m1 = 0;
        double m2 = 0;
        for (float f : n) {
            m1 += f;
            m2 += (double) f * f;
        }
        m1 /= n.length;
        assertEquals(0, m1, 0.03);
        assertEquals(1, m2 / n.length - m1 * m1, 0.05);
        assertArrayEquals(Tensor.randn(new Rng(9), 5).toFloatArray(), Tensor.randn(new Rng(9), 5).toFloatArray());
        int[] p = new Rng(1).permutation(50);
        boolean[] seen = new boolean[50];
        for (int x : p) {
            assertFalse(seen[x]);
            seen[x] = true;
        }
        for (int i = 0; i < 1000; i++) {
            int k = new Rng(i).nextInt(7);
            assertTrue(k >= 0 && k < 7);
        }
    }

    @Test
    void allCloseComparesShapesValuesAndNaN() {
        Tensor a = Tensor.of(new float[] {1f, Float.NaN, 100f}, 3);
        assertTrue(a.allClose(Tensor.of(new float[] {1f, Float.NaN, 100.005f}, 3), 1e-4, 0));
        assertFalse(a.allClose(Tensor.of(new float[] {1f, Float.NaN, 100.1f}, 3), 1e-4, 0));
        assertFalse(a.allClose(Tensor.of(new float[] {1f, 0f, 100f}, 3), 1, 1));
        assertFalse(a.allClose(Tensor.of(new float[] {1f, Float.NaN, 100f}, 1, 3), 1, 1), "shapes differ");
        assertTrue(Tensor.of(new float[] {Float.POSITIVE_INFINITY}, 1).allClose(
                Tensor.of(new float[] {Float.POSITIVE_INFINITY}, 1), 0, 0));
        assertFalse(Tensor.of(new float[] {Float.POSITIVE_INFINITY}, 1).allClose(
                Tensor.of(new float[] {Float.NEGATIVE_INFINITY}, 1), 0, 1e30));
    }
}
