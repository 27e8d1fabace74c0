package dev.brisk.tensor;

import java.util.Objects;

/**
 * A flat heap array of one dtype that tensors view. F32 is a {@code float[]}, BF16/F16 a {@code short[]} of raw
 * bits, I8 a {@code byte[]}, I32 an {@code int[]}, I64 a {@code long[]}, BOOL a {@code boolean[]}.
 */
public final class Storage {

    private final DType dtype;
    private final Object array;
    private final int length;

    private Storage(DType dtype, Object array, int length) {
        this.dtype = dtype;
        this.array = array;
        this.length = length;
    }

    public static Storage allocate(DType dtype, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative storage length " + length);
        }
        Object a = switch (dtype) {
            case F32 -> new float[length];
            case BF16, F16 -> new short[length];
            case I8 -> new byte[length];
            case I32 -> new int[length];
            case I64 -> new long[length];
            case BOOL -> new boolean[length];
        };
        return new Storage(dtype, a, length);
    }

    /** Wraps (does not copy) an array whose Java type matches {@code dtype}. */
    public static Storage wrap(DType dtype, Object array) {
        Objects.requireNonNull(array, "array");
        int length = switch (dtype) {
            case F32 -> ((float[]) array).length;
            case BF16, F16 -> ((short[]) array).length;
            case I8 -> ((byte[]) array).length;
            case I32 -> ((int[]) array).length;
            case I64 -> ((long[]) array).length;
            case BOOL -> ((boolean[]) array).length;
        };
        return new Storage(dtype, array, length);
    }

    public DType dtype() {
        return dtype;
    }

    public int length() {
        return length;
    }

    public long byteSize() {
        return (long) length * dtype.byteSize();
    }

    public float[] floats() {
        return (float[]) expect(DType.F32);
    }

    public short[] shorts() {
        if (dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalStateException("storage is " + dtype + ", not a 16-bit float type");
        }
        return (short[]) array;
    }

    public byte[] bytes() {
        return (byte[]) expect(DType.I8);
    }

    public int[] ints() {
        return (int[]) expect(DType.I32);
    }

    public long[] longs() {
        return (long[]) expect(DType.I64);
    }

    public boolean[] bools() {
        return (boolean[]) expect(DType.BOOL);
    }

    /** The backing array itself, for bulk copies. */
    Object array() {
        return array;
    }

    private Object expect(DType want) {
        if (dtype != want) {
            throw new IllegalStateException("storage is " + dtype + ", not " + want);
        }
        return array;
    }

    /** Element {@code i} as a double (exact for every dtype except I64 beyond 2^53). */
    public double get(int i) {
        return switch (dtype) {
            case F32 -> ((float[]) array)[i];
            case BF16 -> DTypes.bf16ToFloat(((short[]) array)[i]);
            case F16 -> DTypes.f16ToFloat(((short[]) array)[i]);
            case I8 -> ((byte[]) array)[i];
            case I32 -> ((int[]) array)[i];
            case I64 -> ((long[]) array)[i];
            case BOOL -> ((boolean[]) array)[i] ? 1 : 0;
        };
    }

    /** Element {@code i} as a long (floats truncate toward zero). */
    public long getLong(int i) {
        return switch (dtype) {
            case I64 -> ((long[]) array)[i];
            case I32 -> ((int[]) array)[i];
            case I8 -> ((byte[]) array)[i];
            case BOOL -> ((boolean[]) array)[i] ? 1 : 0;
            default -> (long) get(i);
        };
    }

    /**
     * Stores {@code v} at {@code i}, converting: floats round to nearest even, integers truncate toward zero and
     * wrap like a Java cast, BOOL is {@code v != 0}.
     */
    public void set(int i, double v) {
        switch (dtype) {
            case F32 -> ((float[]) array)[i] = (float) v;
            case BF16 -> ((short[]) array)[i] = DTypes.floatToBf16((float) v);
            case F16 -> ((short[]) array)[i] = DTypes.floatToF16((float) v);
            case I8 -> ((byte[]) array)[i] = (byte) (long) v;
            case I32 -> ((int[]) array)[i] = (int) (long) v;
            case I64 -> ((long[]) array)[i] = (long) v;
            case BOOL -> ((boolean[]) array)[i] = v != 0;
        }
    }

    public void setLong(int i, long v) {
        switch (dtype) {
            case I64 -> ((long[]) array)[i] = v;
            case I32 -> ((int[]) array)[i] = (int) v;
            case I8 -> ((byte[]) array)[i] = (byte) v;
            case BOOL -> ((boolean[]) array)[i] = v != 0;
            default -> set(i, v);
        }
    }
}
