package dev.brisk.tensor.functional;

import java.util.Arrays;

/**
 * The im2col / col2im lowering of a 2-D convolution to GEMM, for one image and one group, and the per-thread
 * workspace that holds the column matrix.
 *
 * <pre>
 *   cols[(c·KH + i)·KW + j][oh·OW + ow] = x[c][oh·sh − ph + i·dh][ow·sw − pw + j·dw]   (0 outside the image)
 *   x: (Cg, H, W)    cols: (Cg·KH·KW, OH·OW), row-major, so that  out(Og, OH·OW) = W(Og, Cg·KH·KW) · cols
 * </pre>
 *
 * Row order matches a weight stored (O, Cg, KH, KW). {@link #col2im} is the adjoint: it adds every column entry
 * back onto the pixel it was read from. For each kernel column {@code j} the output columns whose input pixel
 * lies inside the image form one run {@code [lo, hi)}, so the inner loops are straight copies (stride 1) or
 * strided gathers with the zero padding written around them; no per-element bounds test.
 */
final class Im2col {

    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});
    /** Slots of this thread's workspaces: column matrices, one widened 16-bit input image, one output image. */
    static final int COLS = 0;
    static final int IMAGE = 1;
    static final int OUTPUT = 2;

    private Im2col() {
    }

    /**
     * This thread's workspace of at least {@code n} floats, grown on demand and kept, so steady-state
     * convolutions allocate no column matrices. Contents are unspecified; one buffer per thread, so callers
     * must not hold it across a call that may use it again on the same thread.
     */
    static float[] scratch(int n) {
        return scratch(COLS, n);
    }

    /** As {@link #scratch(int)}, for workspace {@code slot} ({@link #COLS}, {@link #IMAGE} or {@link #OUTPUT}). */
    static float[] scratch(int slot, int n) {
        float[][] cell = SCRATCH.get();
        if (cell[slot].length < n) {
            cell[slot] = new float[n];
        }
        return cell[slot];
    }

    /** x (cg, h, w) at {@code xOff} -> cols (cg·kh·kw, oh·ow) at {@code cOff}. */
    static void im2col(ConvGeometry g, float[] x, int xOff, float[] cols, int cOff) {
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), l = oh * ow;
        int sh = g.sh(), sw = g.sw();
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < g.kh(); i++) {
                int ihOff = i * g.dh() - g.ph();
                for (int j = 0; j < g.kw(); j++, row++) {
                    int xo = j * g.dw() - g.pw(); // iw = ow·sw + xo
                    int lo = runStart(xo, sw, ow);
                    int hi = Math.max(lo, runEnd(xo, sw, w, ow));
                    int dst = cOff + row * l;
                    for (int r = 0; r < oh; r++, dst += ow) {
                        int ih = r * sh + ihOff;
                        if (ih < 0 || ih >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0f);
                            continue;
                        }
                        if (lo > 0) {
                            Arrays.fill(cols, dst, dst + lo, 0f);
                        }
                        int src = plane + ih * w + xo;
                        if (sw == 1) {
                            System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                        } else {
                            for (int q = lo; q < hi; q++) {
                                cols[dst + q] = x[src + q * sw];
                            }
                        }
                        if (hi < ow) {
                            Arrays.fill(cols, dst + hi, dst + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    /** dx (cg, h, w) at {@code xOff} += the adjoint of {@link #im2col} applied to cols (cg·kh·kw, oh·ow). */
    static void col2im(ConvGeometry g, float[] cols, int cOff, float[] dx, int xOff) {
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), l = oh * ow;
        int sh = g.sh(), sw = g.sw();
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < g.kh(); i++) {
                int ihOff = i * g.dh() - g.ph();
                for (int j = 0; j < g.kw(); j++, row++) {
                    int xo = j * g.dw() - g.pw();
                    int lo = runStart(xo, sw, ow);
                    int hi = Math.max(lo, runEnd(xo, sw, w, ow));
                    int src = cOff + row * l;
                    for (int r = 0; r < oh; r++, src += ow) {
                        int ih = r * sh + ihOff;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        int dst = plane + ih * w + xo;
                        if (sw == 1) {
                            for (int q = lo; q < hi; q++) {
                                dx[dst + q] += cols[src + q];
                            }
                        } else {
                            for (int q = lo; q < hi; q++) {
                                dx[dst + q * sw] += cols[src + q];
                            }
                        }
                    }
                }
            }
        }
    }

    /** First output column whose input column {@code q·sw + xo} is ≥ 0. */
    private static int runStart(int xo, int sw, int ow) {
        return xo >= 0 ? 0 : Math.min(ow, (-xo + sw - 1) / sw);
    }

    /** One past the last output column whose input column {@code q·sw + xo} is < w. */
    private static int runEnd(int xo, int sw, int w, int ow) {
        int last = w - 1 - xo;
        return last < 0 ? 0 : Math.min(ow, last / sw + 1);
    }
}
