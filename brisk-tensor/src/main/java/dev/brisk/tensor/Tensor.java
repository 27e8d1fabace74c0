package dev.brisk.tensor;

import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.CompareOp;
import dev.brisk.tensor.backend.ReduceOp;
import dev.brisk.tensor.backend.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An n-dimensional strided view of a {@link Storage}: {@code element(i0..ik) = storage[offset + Σ i_d·stride_d]}.
 *
 * <p>Views ({@link #view}, {@link #permute}, {@link #narrow}, {@link #expand}, ...) share storage and never copy;
 * {@link #contiguous()} and {@link #to(DType)} do. Ops follow NumPy/PyTorch broadcasting and return new
 * contiguous tensors; arithmetic runs in F32 (BF16/F16 inputs are widened and the result is stored back in the
 * widest input type). Shape errors name the op and the shapes involved.
 *
 * <p>Autograd: a tensor with {@link #requiresGrad()} set is tracked; every op on it (views included) records a
 * {@link Node} with its backward rule, and {@link #backward()} accumulates gradients into the leaves'
 * {@link #grad()}. Gradients are F32. {@link GradMode#noGrad()} turns recording off.
 */
public final class Tensor {

    /** Views and casts save nothing for backward: their rules need only shapes. */
    private static final Tensor[] NO_SAVED = new Tensor[0];

    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    // autograd state: a leaf has no gradFn; requiresGrad on a leaf means "accumulate my gradient"
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private List<Consumer<Tensor>> gradReadyHooks;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---- creation ---------------------------------------------------------------------------------------------

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        int[] s = shape.clone();
        return new Tensor(Storage.allocate(dtype, Shapes.numel(s)), s, Shapes.contiguousStrides(s), 0);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(DType.F32, shape);
        Arrays.fill(t.storage.floats(), value);
        return t;
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.storage.length(); i++) {
            t.storage.set(i, value);
        }
        return t;
    }

    /** A 0-dim F32 tensor. */
    public static Tensor scalar(float value) {
        return new Tensor(Storage.wrap(DType.F32, new float[] {value}), new int[0], new int[0], 0);
    }

    /** 0, 1, ..., n-1 as F32. */
    public static Tensor arange(int n) {
        return arange(DType.F32, 0, n, 1);
    }

    /** start, start+step, ... below end (above end for a negative step), in {@code dtype}. */
    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        }
        long n = (long) Math.max(0, Math.ceil((end - start) / step));
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("arange: " + n + " elements is too many");
        }
        Tensor t = zeros(dtype, (int) n);
        for (int i = 0; i < n; i++) {
            t.storage.set(i, start + i * step);
        }
        return t;
    }

    /** Uniform in [0, 1). */
    public static Tensor rand(Rng rng, int... shape) {
        Tensor t = zeros(shape);
        rng.fillUniform(t.storage.floats(), 0f, 1f);
        return t;
    }

    /** Standard normal. */
    public static Tensor randn(Rng rng, int... shape) {
        Tensor t = zeros(shape);
        rng.fillNormal(t.storage.floats(), 0f, 1f);
        return t;
    }

    /** An F32 tensor holding a copy of {@code data}. */
    public static Tensor of(float[] data, int... shape) {
        return wrap(DType.F32, data.clone(), shape);
    }

    /** An I64 tensor holding a copy of {@code data} (indices, labels). */
    public static Tensor ofLongs(long[] data, int... shape) {
        return wrap(DType.I64, data.clone(), shape);
    }

    public static Tensor ofInts(int[] data, int... shape) {
        return wrap(DType.I32, data.clone(), shape);
    }

    public static Tensor ofBools(boolean[] data, int... shape) {
        return wrap(DType.BOOL, data.clone(), shape);
    }

    /**
     * Views {@code array} (not copied) as a contiguous tensor; the array's Java type must match {@code dtype}.
     * With no shape given the tensor is 1-D (use {@link #scalar} for a 0-dim tensor).
     */
    public static Tensor wrap(DType dtype, Object array, int... shape) {
        Storage s = Storage.wrap(dtype, array);
        int[] sh = shape.length == 0 ? new int[] {s.length()} : shape.clone();
        if (Shapes.numel(sh) != s.length()) {
            throw new IllegalArgumentException("shape " + Shapes.format(sh) + " needs " + Shapes.numel(sh)
                    + " elements but the array has " + s.length());
        }
        return new Tensor(s, sh, Shapes.contiguousStrides(sh), 0);
    }

    // ---- metadata ---------------------------------------------------------------------------------------------

    public int[] shape() {
        return shape.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    int[] shapeRef() {
        return shape;
    }

    int[] stridesRef() {
        return strides;
    }

    public int dim() {
        return shape.length;
    }

    public int size(int dim) {
        return shape[Shapes.dim("size", dim, shape.length)];
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public int offset() {
        return offset;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return Device.CPU;
    }

    public Storage storage() {
        return storage;
    }

    public boolean isContiguous() {
        return ViewOps.isContiguous(shape, strides);
    }

    // ---- views (no copy) --------------------------------------------------------------------------------------

    /** Same data, new shape; one dim may be -1. Throws if the strides do not allow it (use {@link #reshape}). */
    public Tensor view(int... newShape) {
        int[] s = ViewOps.inferShape("view", shape, newShape);
        int[] st = ViewOps.viewStrides(shape, strides, s);
        if (st == null) {
            throw new IllegalArgumentException("view: a tensor of shape " + Shapes.format(shape) + " and strides "
                    + Shapes.format(strides) + " cannot be viewed as " + Shapes.format(s)
                    + " without a copy; use reshape() or contiguous() first");
        }
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, s, st, offset), "view", g -> new Tensor[] {g.reshape(in)},
                NO_SAVED, this);
    }

    /** Like {@link #view}, but copies when the layout requires it (as PyTorch's reshape). */
    public Tensor reshape(int... newShape) {
        int[] s = ViewOps.inferShape("reshape", shape, newShape);
        int[] st = ViewOps.viewStrides(shape, strides, s);
        if (st == null) {
            return contiguous().view(s);
        }
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, s, st, offset), "reshape", g -> new Tensor[] {g.reshape(in)},
                NO_SAVED, this);
    }

    /** Reorders dims: result dim i is input dim {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Shapes.format(order) + " has " + order.length
                    + " dims but the tensor has shape " + Shapes.format(shape));
        }
        int[] s = new int[order.length];
        int[] st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shapes.dim("permute", order[i], shape.length);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dim " + d + " repeated in " + Shapes.format(order));
            }
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
        }
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[Shapes.dim("permute", order[i], shape.length)] = i;
        }
        return Graph.recordSaving(new Tensor(storage, s, st, offset), "permute", g -> new Tensor[] {g.permute(inverse)},
                NO_SAVED, this);
    }

    public Tensor transpose(int dim0, int dim1) {
        int a = Shapes.dim("transpose", dim0, shape.length);
        int b = Shapes.dim("transpose", dim1, shape.length);
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Transpose of a matrix (swaps the last two dims). */
    public Tensor t() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("t: needs at least 2 dims, got shape " + Shapes.format(shape));
        }
        return transpose(-2, -1);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.dim("narrow", dim, shape.length);
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") is outside dim "
                    + d + " of size " + shape[d] + " (shape " + Shapes.format(shape) + ")");
        }
        int[] s = shape.clone();
        s[d] = length;
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, s, strides.clone(), offset + start * strides[d]), "narrow",
                g -> new Tensor[] {scatterInto(in, g, t -> t.narrow(d, start, length))}, NO_SAVED, this);
    }

    /** Python-style {@code [start:end:step]} along {@code dim}; negative start/end count from the end. */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.dim("slice", dim, shape.length);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int n = shape[d];
        int s0 = Math.clamp(start < 0 ? start + n : start, 0, n);
        int e0 = Math.clamp(end < 0 ? end + n : end, 0, n);
        int len = e0 > s0 ? (e0 - s0 + step - 1) / step : 0;
        int[] s = shape.clone();
        int[] st = strides.clone();
        s[d] = len;
        st[d] = strides[d] * step;
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, s, st, offset + s0 * strides[d]), "slice",
                g -> new Tensor[] {scatterInto(in, g, t -> t.slice(d, s0, e0, step))}, NO_SAVED, this);
    }

    /** Index {@code index} of {@code dim}, removing that dim. */
    public Tensor select(int dim, int index) {
        int d = Shapes.dim("select", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IllegalArgumentException("select: index " + index + " out of range for dim " + d + " of size "
                    + shape[d]);
        }
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, remove(shape, d), remove(strides, d), offset + i * strides[d]),
                "select", g -> new Tensor[] {scatterInto(in, g, t -> t.select(d, i))}, NO_SAVED, this);
    }

    /** zeros(shape) with {@code g} written into the region {@code region} selects: the backward of a slicing view. */
    private static Tensor scatterInto(int[] shape, Tensor g, java.util.function.UnaryOperator<Tensor> region) {
        Tensor z = zeros(shape);
        region.apply(z).copyFrom(g);
        return z;
    }

    /** Broadcasts size-1 dims (and new leading dims) to {@code newShape}; -1 keeps a dim. Stride 0, no copy. */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.format(shape) + " to fewer dims "
                    + Shapes.format(newShape));
        }
        int lead = newShape.length - shape.length;
        int[] s = new int[newShape.length];
        int[] st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) {
                    throw new IllegalArgumentException("expand: -1 not allowed for a new leading dim in "
                            + Shapes.format(newShape));
                }
                s[i] = want;
                st[i] = 0;
                continue;
            }
            int have = shape[i - lead];
            if (want == -1 || want == have) {
                s[i] = have;
                st[i] = strides[i - lead];
            } else if (have == 1) {
                s[i] = want;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: shape " + Shapes.format(shape) + " cannot be expanded to "
                        + Shapes.format(newShape) + " (dim " + i + ": " + have + " is not 1)");
            }
        }
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, s, st, offset), "expand", g -> new Tensor[] {Graph.sumTo(g, in)},
                NO_SAVED, this);
    }

    public Tensor unsqueeze(int dim) {
        int d = Shapes.dim("unsqueeze", dim, shape.length + 1);
        int[] s = new int[shape.length + 1];
        int[] st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j];
                j++;
            }
        }
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, s, st, offset), "unsqueeze", g -> new Tensor[] {g.reshape(in)},
                NO_SAVED, this);
    }

    /** Removes {@code dim} if it has size 1 (otherwise returns this, as PyTorch does). */
    public Tensor squeeze(int dim) {
        int d = Shapes.dim("squeeze", dim, shape.length);
        if (shape[d] != 1) {
            return this;
        }
        int[] in = shape.clone();
        return Graph.recordSaving(new Tensor(storage, remove(shape, d), remove(strides, d), offset), "squeeze",
                g -> new Tensor[] {g.reshape(in)}, NO_SAVED, this);
    }

    /** Removes every size-1 dim. */
    public Tensor squeeze() {
        Tensor t = this;
        for (int d = shape.length - 1; d >= 0; d--) {
            t = t.squeeze(d);
        }
        return t;
    }

    /** Merges dims {@code start..end} (inclusive) into one; copies only if the layout requires it. */
    public Tensor flatten(int start, int end) {
        int a = Shapes.dim("flatten", start, Math.max(shape.length, 1));
        int b = Shapes.dim("flatten", end, Math.max(shape.length, 1));
        if (shape.length == 0) {
            return reshape(1);
        }
        int[] s = new int[shape.length - (b - a)];
        int j = 0;
        for (int i = 0; i < a; i++) {
            s[j++] = shape[i];
        }
        int merged = 1;
        for (int i = a; i <= b; i++) {
            merged *= shape[i];
        }
        s[j++] = merged;
        for (int i = b + 1; i < shape.length; i++) {
            s[j++] = shape[i];
        }
        return reshape(s);
    }

    private static int[] remove(int[] a, int d) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, d);
        System.arraycopy(a, d + 1, r, d, a.length - d - 1);
        return r;
    }

    // ---- copies and conversion --------------------------------------------------------------------------------

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguous() && offset + numel() <= storage.length() ? this : copy();
    }

    /** A contiguous copy that shares nothing with this tensor. */
    public Tensor copy() {
        return Graph.recordSaving(Copy.contiguous(this, dtype()), "copy", g -> new Tensor[] {g}, NO_SAVED, this);
    }

    /** This tensor in {@code dtype} (floats round to nearest even); returns this when the dtype already matches. */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        Tensor out = Copy.contiguous(this, dtype);
        return dtype.isFloatingPoint() ? Graph.recordSaving(out, "to", g -> new Tensor[] {g}, NO_SAVED, this) : out;
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor's elements. */
    public Tensor copyFrom(Tensor src) {
        Tensor b = src.expand(shape);
        Copy.into(b, storage, offset, strides);
        return this;
    }

    // ---- element access ---------------------------------------------------------------------------------------

    private int storageIndex(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Shapes.format(index) + " has " + index.length
                    + " dims but the tensor has shape " + Shapes.format(shape));
        }
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Shapes.format(index) + " out of bounds for shape "
                        + Shapes.format(shape));
            }
            p += i * strides[d];
        }
        return p;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shapes.format(shape) + " has " + numel()
                    + " elements, not 1");
        }
        return (float) storage.get(offset);
    }

    public float getFloat(int... index) {
        return (float) storage.get(storageIndex(index));
    }

    public long getLong(int... index) {
        return storage.getLong(storageIndex(index));
    }

    public void set(double value, int... index) {
        storage.set(storageIndex(index), value);
    }

    /** All elements in row-major order, as floats (a copy). */
    public float[] toFloatArray() {
        return to(DType.F32).contiguous().floatsCopy();
    }

    /** All elements in row-major order, as longs (a copy; floats truncate toward zero). */
    public long[] toLongArray() {
        return to(DType.I64).contiguous().longsCopy();
    }

    private float[] floatsCopy() {
        return Arrays.copyOfRange(storage.floats(), offset, offset + numel());
    }

    private long[] longsCopy() {
        return Arrays.copyOfRange(storage.longs(), offset, offset + numel());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        int n = numel();
        if (n <= 64) {
            if (dtype().isFloatingPoint()) {
                sb.append(Arrays.toString(toFloatArray()));
            } else {
                sb.append(Arrays.toString(toLongArray()));
            }
            sb.append(", ");
        }
        return sb.append("shape=").append(Shapes.format(shape)).append(", dtype=").append(dtype()).append(')').toString();
    }

    // ---- elementwise ops --------------------------------------------------------------------------------------

    public Tensor add(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.ADD, this, o);
    }

    public Tensor add(float s) {
        return ElementwiseGrad.binary(BinaryOp.ADD, this, scalar(s));
    }

    public Tensor sub(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.SUB, this, o);
    }

    public Tensor sub(float s) {
        return ElementwiseGrad.binary(BinaryOp.SUB, this, scalar(s));
    }

    public Tensor mul(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.MUL, this, o);
    }

    public Tensor mul(float s) {
        return ElementwiseGrad.binary(BinaryOp.MUL, this, scalar(s));
    }

    public Tensor div(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.DIV, this, o);
    }

    public Tensor div(float s) {
        return ElementwiseGrad.binary(BinaryOp.DIV, this, scalar(s));
    }

    public Tensor pow(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.POW, this, o);
    }

    public Tensor pow(float exponent) {
        return exponent == 2f ? unary(UnaryOp.SQUARE) : ElementwiseGrad.binary(BinaryOp.POW, this, scalar(exponent));
    }

    /** Elementwise maximum (NaN propagates). */
    public Tensor maximum(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.MAX, this, o);
    }

    public Tensor minimum(Tensor o) {
        return ElementwiseGrad.binary(BinaryOp.MIN, this, o);
    }

    public Tensor unary(UnaryOp op) {
        return ElementwiseGrad.unary(op, this);
    }

    public Tensor neg() {
        return unary(UnaryOp.NEG);
    }

    public Tensor abs() {
        return unary(UnaryOp.ABS);
    }

    public Tensor exp() {
        return unary(UnaryOp.EXP);
    }

    public Tensor log() {
        return unary(UnaryOp.LOG);
    }

    public Tensor sqrt() {
        return unary(UnaryOp.SQRT);
    }

    public Tensor rsqrt() {
        return unary(UnaryOp.RSQRT);
    }

    public Tensor tanh() {
        return unary(UnaryOp.TANH);
    }

    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID);
    }

    public Tensor relu() {
        return unary(UnaryOp.RELU);
    }

    /** GELU, exact (erf) form. */
    public Tensor gelu() {
        return unary(UnaryOp.GELU_ERF);
    }

    /** GELU, tanh approximation (as GPT-2). */
    public Tensor geluTanh() {
        return unary(UnaryOp.GELU_TANH);
    }

    public Tensor silu() {
        return unary(UnaryOp.SILU);
    }

    public Tensor eq(Tensor o) {
        return ElementwiseOps.compare(CompareOp.EQ, this, o);
    }

    public Tensor ne(Tensor o) {
        return ElementwiseOps.compare(CompareOp.NE, this, o);
    }

    public Tensor lt(Tensor o) {
        return ElementwiseOps.compare(CompareOp.LT, this, o);
    }

    public Tensor le(Tensor o) {
        return ElementwiseOps.compare(CompareOp.LE, this, o);
    }

    public Tensor gt(Tensor o) {
        return ElementwiseOps.compare(CompareOp.GT, this, o);
    }

    public Tensor ge(Tensor o) {
        return ElementwiseOps.compare(CompareOp.GE, this, o);
    }

    /** {@code cond ? a : b} elementwise, all three broadcast together; {@code cond} is BOOL. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return ElementwiseGrad.where(cond, a, b);
    }

    // ---- reductions -------------------------------------------------------------------------------------------

    /** Sum of all elements, as a 0-dim tensor. */
    public Tensor sum() {
        return ReductionGrad.reduce(ReduceOp.SUM, this, ReductionOps.allDims(dim()), false);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return ReductionGrad.reduce(ReduceOp.SUM, this, dims, keepDim);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return sum(new int[] {dim}, keepDim);
    }

    public Tensor mean() {
        return mean(ReductionOps.allDims(dim()), false);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        if (isHalf()) { // sum and divide in F32, round once
            return to(DType.F32).mean(dims, keepDim).to(dtype());
        }
        int count = 1;
        for (int d : ReductionOps.normalize("mean", dims, Math.max(dim(), 1))) {
            count *= dim() == 0 ? 1 : shape[d];
        }
        return sum(dims, keepDim).div((float) count);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return mean(new int[] {dim}, keepDim);
    }

    public Tensor max() {
        return ReductionGrad.reduce(ReduceOp.MAX, this, ReductionOps.allDims(dim()), false);
    }

    public Tensor max(int dim, boolean keepDim) {
        return ReductionGrad.reduce(ReduceOp.MAX, this, new int[] {dim}, keepDim);
    }

    public Tensor min() {
        return ReductionGrad.reduce(ReduceOp.MIN, this, ReductionOps.allDims(dim()), false);
    }

    public Tensor min(int dim, boolean keepDim) {
        return ReductionGrad.reduce(ReduceOp.MIN, this, new int[] {dim}, keepDim);
    }

    /** Index (I64) of the first maximum along {@code dim}. */
    public Tensor argmax(int dim, boolean keepDim) {
        return ReductionOps.argReduce(true, this, dim, keepDim);
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return ReductionOps.argReduce(false, this, dim, keepDim);
    }

    /** Variance over {@code dims} with Bessel-style {@code correction} (1 = unbiased, PyTorch's default). */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        if (isHalf()) { // every intermediate in F32, round once
            return to(DType.F32).var(dims, correction, keepDim).to(dtype());
        }
        int count = 1;
        for (int d : ReductionOps.normalize("var", dims, Math.max(dim(), 1))) {
            count *= dim() == 0 ? 1 : shape[d];
        }
        Tensor centered = sub(mean(dims, true));
        return centered.mul(centered).sum(dims, keepDim).div((float) Math.max(0, count - correction));
    }

    /** log Σ exp over {@code dims}, computed stably. */
    public Tensor logsumexp(int[] dims, boolean keepDim) {
        if (isHalf()) { // every intermediate in F32, round once
            return to(DType.F32).logsumexp(dims, keepDim).to(dtype());
        }
        // m + log Σ exp(x - m) with m = max (detached: the result does not depend on it); an all -inf slice
        // shifts by 0 so that it gives -inf rather than NaN
        Tensor m;
        try (var s = GradMode.noGrad()) {
            Tensor max = ReductionOps.reduce(ReduceOp.MAX, this, dims, true);
            m = where(max.abs().eq(scalar(Float.POSITIVE_INFINITY)), scalar(0f), max);
        }
        Tensor r = sub(m).exp().sum(dims, true).log().add(m);
        return keepDim ? r : r.reshape(ReductionOps.reducedShape(shape, ReductionOps.normalize("logsumexp", dims,
                Math.max(dim(), 1)), false));
    }

    /** BF16 or F16: composite ops compute in F32 and round once, rather than after every step. */
    private boolean isHalf() {
        return dtype() == DType.BF16 || dtype() == DType.F16;
    }

    public Tensor softmax(int dim) {
        return ReductionGrad.softmax(this, dim, false);
    }

    public Tensor logSoftmax(int dim) {
        return ReductionGrad.softmax(this, dim, true);
    }

    // ---- linear algebra, indexing, joining --------------------------------------------------------------------

    /** Matrix product with torch.matmul semantics (1-D, 2-D and broadcast batched). */
    public Tensor matmul(Tensor o) {
        return LinalgGrad.matmul(this, o);
    }

    /** {@code out[i][j][k] = this[index[i][j][k]][j][k]} for dim 0, and so on (torch.gather). */
    public Tensor gather(int dim, Tensor index) {
        return IndexGrad.gather(this, dim, index);
    }

    /** A copy of this tensor with {@code src} added at {@code index} along {@code dim} (torch.scatter_add). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return IndexGrad.scatterAdd(this, dim, index, src);
    }

    /** Rows (or slices) {@code index} of {@code dim}, in order (torch.index_select; embedding lookup). */
    public Tensor indexSelect(int dim, Tensor index) {
        return IndexGrad.indexSelect(this, dim, index);
    }

    public static Tensor cat(int dim, Tensor... tensors) {
        return IndexGrad.cat(dim, tensors);
    }

    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        int d = Shapes.dim("stack", dim, tensors[0].dim() + 1);
        Tensor[] u = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].shape, tensors[0].shape)) {
                throw new IllegalArgumentException("stack: all tensors need the same shape, got "
                        + Shapes.format(tensors[0].shape) + " and " + Shapes.format(tensors[i].shape));
            }
            u[i] = tensors[i].unsqueeze(d);
        }
        return IndexGrad.cat(d, u);
    }

    // ---- autograd ---------------------------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing its gradient (parameters); returns this. Only floating-point leaves qualify. */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad can only be changed on a leaf tensor; this one was computed"
                    + " by '" + gradFn.op() + "' (use detach() to get a leaf)");
        }
        if (requires && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("only floating-point tensors can require grad, got " + dtype());
        }
        this.requiresGrad = requires;
        return this;
    }

    /** True for tensors not computed by a recorded op (parameters, inputs, detached tensors). */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The op that computed this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** The accumulated gradient of a leaf (F32, same shape), or null before any backward. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (null clears it); a non-null gradient must match this shape and is stored as F32. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.format(g.shape)
                    + " does not match tensor shape " + Shapes.format(shape));
        }
        this.grad = g == null ? null : g.to(DType.F32).contiguous();
    }

    /** Clears the gradient (set to none, as PyTorch's default zero_grad). */
    public void zeroGrad() {
        this.grad = null;
    }

    /** A leaf sharing this tensor's data that is not tracked by autograd. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Back-propagates from this one-element tensor (a loss) into the leaves' {@link #grad()}. */
    public void backward() {
        Backprop.run(this, null, false);
    }

    /** Back-propagates {@code gradient} (same shape as this) from a tensor with any shape. */
    public void backward(Tensor gradient) {
        Backprop.run(this, gradient, false);
    }

    /** As {@link #backward(Tensor)}; {@code retainGraph} keeps the graph for another backward. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Backprop.run(this, gradient, retainGraph);
    }

    /**
     * Calls {@code hook} with this leaf during backward as soon as its gradient for that backward is final
     * (every op that used it has run), before backward finishes. Data-parallel training starts communicating
     * gradients from here.
     */
    public void registerGradReadyHook(Consumer<Tensor> hook) {
        Objects.requireNonNull(hook, "hook");
        if (gradReadyHooks == null) {
            gradReadyHooks = new ArrayList<>();
        }
        gradReadyHooks.add(hook);
    }

    void fireGradReady() {
        if (gradReadyHooks != null) {
            for (Consumer<Tensor> h : gradReadyHooks) {
                h.accept(this);
            }
        }
    }

    void attach(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    // ---- comparisons of whole tensors (for tests) -------------------------------------------------------------

    /** True when shapes match and every element is within {@code atol + rtol·|other|} (NaNs must match). */
    public boolean allClose(Tensor other, double rtol, double atol) {
        Objects.requireNonNull(other, "other");
        if (!Arrays.equals(shape, other.shape)) {
            return false;
        }
        float[] a = toFloatArray();
        float[] b = other.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                    return false;
                }
            } else if (a[i] != b[i] && !(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }
}
