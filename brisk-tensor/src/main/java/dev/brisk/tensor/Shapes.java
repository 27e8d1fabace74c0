package dev.brisk.tensor;

import java.util.Arrays;

/** Shape and stride arithmetic shared by the tensor ops. Shapes are {@code int[]}, row-major. */
public final class Shapes {

    private Shapes() {
    }

    /** Product of the dims; throws if it overflows an int (heap arrays are int-indexed). */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + format(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("shape " + format(shape) + " has more than 2^31 elements");
            }
        }
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** NumPy broadcasting of two shapes; the error names the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + format(a) + " and " + format(b)
                        + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that read a tensor of {@code shape}/{@code strides} as if expanded to {@code target} (0 = repeat). */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return out;
    }

    /** Wraps a possibly negative dim into [0, rank); the error names the op. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    public static String format(int[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }
}
