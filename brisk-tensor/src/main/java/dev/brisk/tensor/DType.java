package dev.brisk.tensor;

/**
 * Element types. F32 is the compute type; BF16 and F16 are storage types (converted with round-to-nearest-even);
 * I8 holds quantized values; I32 and I64 hold indices and labels; BOOL holds masks.
 */
public enum DType {
    F32(4, true),
    BF16(2, true),
    F16(2, true),
    I8(1, false),
    I32(4, false),
    I64(8, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floating;
    }

    /** The safetensors spelling ("F32", "BF16", "I64", "BOOL", ...). */
    public String safetensorsName() {
        return name();
    }
}
