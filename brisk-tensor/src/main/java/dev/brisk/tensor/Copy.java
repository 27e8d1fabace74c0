package dev.brisk.tensor;

/** Materialises strided views into fresh contiguous storage, converting dtype on the way when asked. */
final class Copy {

    private Copy() {
    }

    /** A contiguous copy of {@code src} in {@code dtype}. */
    static Tensor contiguous(Tensor src, DType dtype) {
        int[] shape = src.shape();
        Storage dst = Storage.allocate(dtype, Shapes.numel(shape));
        into(src, dst, 0, Shapes.contiguousStrides(shape));
        return new Tensor(dst, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** Copies {@code src} into {@code dst} laid out with {@code dstStrides} from {@code dstOff}, converting dtype. */
    static void into(Tensor src, Storage dst, int dstOff, int[] dstStrides) {
        Storage s = src.storage();
        StridedLoop loop = StridedLoop.of(src.shapeRef(), dstStrides, src.stridesRef());
        int ds = loop.innerStride(0);
        int ss = loop.innerStride(1);
        if (s.dtype() == dst.dtype()) {
            Object sa = s.array();
            Object da = dst.array();
            loop.run(new int[] {dstOff, src.offset()}, (off, n) -> {
                if (ds == 1 && ss == 1) {
                    System.arraycopy(sa, off[1], da, off[0], n);
                } else {
                    sameTypeStrided(sa, off[1], ss, da, off[0], ds, n);
                }
            });
        } else if (s.dtype() == DType.F32 && dst.dtype() == DType.BF16) {
            float[] sa = s.floats();
            short[] da = dst.shorts();
            var k = Kernels.get().elementwise();
            loop.run(new int[] {dstOff, src.offset()}, (off, n) -> {
                if (ds == 1 && ss == 1) {
                    k.toBf16(sa, off[1], da, off[0], n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    da[off[0] + i * ds] = DTypes.floatToBf16(sa[off[1] + i * ss]);
                }
            });
        } else if (s.dtype() == DType.BF16 && dst.dtype() == DType.F32) {
            short[] sa = s.shorts();
            float[] da = dst.floats();
            var k = Kernels.get().elementwise();
            loop.run(new int[] {dstOff, src.offset()}, (off, n) -> {
                if (ds == 1 && ss == 1) {
                    k.fromBf16(sa, off[1], da, off[0], n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    da[off[0] + i * ds] = DTypes.bf16ToFloat(sa[off[1] + i * ss]);
                }
            });
        } else if (!s.dtype().isFloatingPoint() && !dst.dtype().isFloatingPoint()) {
            loop.run(new int[] {dstOff, src.offset()}, (off, n) -> {
                for (int i = 0; i < n; i++) {
                    dst.setLong(off[0] + i * ds, s.getLong(off[1] + i * ss));
                }
            });
        } else {
            loop.run(new int[] {dstOff, src.offset()}, (off, n) -> {
                for (int i = 0; i < n; i++) {
                    dst.set(off[0] + i * ds, s.get(off[1] + i * ss));
                }
            });
        }
    }

    private static void sameTypeStrided(Object sa, int so, int ss, Object da, int d0, int ds, int n) {
        switch (sa) {
            case float[] s -> {
                float[] d = (float[]) da;
                for (int i = 0; i < n; i++) {
                    d[d0 + i * ds] = s[so + i * ss];
                }
            }
            case short[] s -> {
                short[] d = (short[]) da;
                for (int i = 0; i < n; i++) {
                    d[d0 + i * ds] = s[so + i * ss];
                }
            }
            case long[] s -> {
                long[] d = (long[]) da;
                for (int i = 0; i < n; i++) {
                    d[d0 + i * ds] = s[so + i * ss];
                }
            }
            case int[] s -> {
                int[] d = (int[]) da;
                for (int i = 0; i < n; i++) {
                    d[d0 + i * ds] = s[so + i * ss];
                }
            }
            case byte[] s -> {
                byte[] d = (byte[]) da;
                for (int i = 0; i < n; i++) {
                    d[d0 + i * ds] = s[so + i * ss];
                }
            }
            case boolean[] s -> {
                boolean[] d = (boolean[]) da;
                for (int i = 0; i < n; i++) {
                    d[d0 + i * ds] = s[so + i * ss];
                }
            }
            default -> throw new IllegalStateException("unknown storage array " + sa.getClass());
        }
    }
}
