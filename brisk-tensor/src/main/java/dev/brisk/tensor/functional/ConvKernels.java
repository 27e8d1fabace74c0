package dev.brisk.tensor.functional;

import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.GemmKernels;
import dev.brisk.tensor.backend.ReduceOp;
import java.util.Arrays;

/**
 * The three GEMMs of a 2-D convolution on contiguous NCHW arrays, one image and group at a time. Weights and
 * gradients are F32; the input and the output may also be bfloat16 bits ({@code short[]}, mixed precision): a
 * 16-bit image is widened into a per-thread workspace just before its im2col, and a 16-bit output image is
 * computed into a workspace and rounded once, so no full-size F32 copy of either is ever made.
 *
 * <pre>
 *   forward      out[i, g]  (Og, L)  = W[g] (Og, Kg) · cols(x[i, g]) (Kg, L)          (+ bias, as beta = 1)
 *   data grad    dx[i, g]           += col2im( W[g]ᵀ (Kg, Og) · gout[i, g] (Og, L) )
 *   weight grad  dW[g]     (Og, Kg)  = Σ_i gout[i, g] (Og, L) · cols(x[i, g])ᵀ (L, Kg)
 *   bias grad    db        (O)       = Σ_{i, p} gout[i, :, p]
 *   Kg = (C/groups)·KH·KW,  L = OH·OW,  Og = O/groups
 * </pre>
 *
 * <p>Parallel split: images are spread over the intra-op pool, each image's column matrix lives in its
 * thread's {@link Im2col#scratch} workspace, and its GEMMs run on that thread (a GEMM called from inside a pool
 * task runs serially, see {@link Parallel}). With one image the loop runs on the caller and the GEMMs use the
 * whole pool themselves. The weight gradient is a sum over images: each task accumulates its share of images into
 * its own partial (beta = 1 after the first image), and the partials are added at the end. Layout: an NCHW
 * image is already the (Og, L) row-major output of the forward GEMM, so no result is ever transposed; a 1×1
 * stride-1 unpadded convolution skips im2col and hands the image itself to GEMM.
 */
final class ConvKernels {

    private ConvKernels() {
    }

    /**
     * out (n, o, oh, ow) = conv(x (n, c, h, w), w (o, cg, kh, kw)) + bias (o, nullable); out is overwritten.
     * {@code x} and {@code out} are each float[] or short[] (bf16).
     */
    static void forward(ConvGeometry g, Object x, float[] w, float[] bias, Object out) {
        GemmKernels gemm = Kernels.get().gemm();
        Parallel.forEach(g.n(), i -> forwardImage(g, gemm, x, w, bias, out, i));
    }

    private static void forwardImage(ConvGeometry g, GemmKernels gemm, Object x, float[] w, float[] bias,
                                     Object out, int i) {
        int l = g.l(), kg = g.kg(), og = g.og();
        int size = g.o() * l;
        float[] o = out instanceof float[] f ? f : Im2col.scratch(Im2col.OUTPUT, size);
        int oBase = out instanceof float[] ? i * size : 0;
        float beta = 0f;
        if (bias != null) {
            for (int oc = 0; oc < g.o(); oc++) {
                int at = oBase + oc * l;
                Arrays.fill(o, at, at + l, bias[oc]);
            }
            beta = 1f;
        }
        float[] cols = g.pointwise() ? null : Im2col.scratch(kg * l);
        for (int grp = 0; grp < g.groups(); grp++) {
            Image img = Image.of(g, x, i, grp);
            float[] b = img.data;
            int bOff = img.offset;
            if (cols != null) {
                Im2col.im2col(g, img.data, img.offset, cols, 0);
                b = cols;
                bOff = 0;
            }
            gemm.sgemm(false, false, og, l, kg, 1f, w, grp * og * kg, kg, b, bOff, l,
                    beta, o, oBase + grp * og * l, l);
        }
        if (out instanceof short[] h) {
            Kernels.get().elementwise().toBf16(o, 0, h, i * size, size);
        }
    }

    /**
     * Group {@code grp} of image {@code i} of x, (cg, h, w), as F32: in place for a float[] input, widened into this
     * thread's {@link Im2col#IMAGE} workspace for a bf16 one.
     */
    private record Image(float[] data, int offset) {

        static Image of(ConvGeometry g, Object x, int i, int grp) {
            int len = g.cg() * g.h() * g.w();
            int xOff = (i * g.c() + grp * g.cg()) * g.h() * g.w();
            if (x instanceof float[] f) {
                return new Image(f, xOff);
            }
            float[] img = Im2col.scratch(Im2col.IMAGE, len);
            Kernels.get().elementwise().fromBf16((short[]) x, xOff, img, 0, len);
            return new Image(img, 0);
        }
    }

    /** dx (n, c, h, w) += the input gradient for gout (n, o, oh, ow); dx must start zeroed. */
    static void backwardData(ConvGeometry g, float[] gout, float[] w, float[] dx) {
        GemmKernels gemm = Kernels.get().gemm();
        int l = g.l(), kg = g.kg(), og = g.og(), hw = g.h() * g.w();
        Parallel.forEach(g.n(), i -> {
            float[] cols = g.pointwise() ? null : Im2col.scratch(kg * l);
            for (int grp = 0; grp < g.groups(); grp++) {
                int xOff = (i * g.c() + grp * g.cg()) * hw;
                int gOff = (i * g.o() + grp * og) * l;
                if (cols == null) {
                    gemm.sgemm(true, false, kg, l, og, 1f, w, grp * og * kg, kg, gout, gOff, l, 0f, dx, xOff, l);
                } else {
                    gemm.sgemm(true, false, kg, l, og, 1f, w, grp * og * kg, kg, gout, gOff, l, 0f, cols, 0, l);
                    Im2col.col2im(g, cols, 0, dx, xOff);
                }
            }
        });
    }

    /**
     * dw (o, cg, kh, kw) = the weight gradient for gout (n, o, oh, ow) and input x; dw is overwritten.
     *
     * <p>When Kg &lt; Og (a first layer: Kg = 9, Og = 32) the GEMM's n would be Kg, far narrower than the
     * micro-kernel's column block, so it computes dWᵀ (Kg, Og) = cols (Kg, L) · goutᵀ instead and transposes the
     * small result at the end.
     */
    static void backwardWeight(ConvGeometry g, Object x, float[] gout, float[] dw) {
        GemmKernels gemm = Kernels.get().gemm();
        int l = g.l(), kg = g.kg(), og = g.og(), n = g.n();
        boolean transposed = kg < og;
        int tasks = Math.min(n, Parallel.threads());
        float[][] partial = new float[tasks][];
        for (int t = 0; t < tasks; t++) { // o·kg floats each: the size of the weight, not of the columns
            partial[t] = t == 0 && !transposed ? dw : new float[dw.length];
        }
        Parallel.forEach(tasks, t -> {
            int lo = (int) ((long) n * t / tasks), hi = (int) ((long) n * (t + 1) / tasks);
            float[] p = partial[t];
            float[] cols = g.pointwise() ? null : Im2col.scratch(kg * l);
            for (int i = lo; i < hi; i++) {
                float beta = i == lo ? 0f : 1f;
                for (int grp = 0; grp < g.groups(); grp++) {
                    int gOff = (i * g.o() + grp * og) * l;
                    Image img = Image.of(g, x, i, grp);
                    float[] b = img.data;
                    int bOff = img.offset;
                    if (cols != null) {
                        Im2col.im2col(g, img.data, img.offset, cols, 0);
                        b = cols;
                        bOff = 0;
                    }
                    if (transposed) { // dWᵀ[grp] (kg, og) += cols (kg, l) · gout[i, grp]ᵀ (l, og)
                        gemm.sgemm(false, true, kg, og, l, 1f, b, bOff, l, gout, gOff, l, beta, p, grp * og * kg, og);
                    } else {          // dW[grp] (og, kg) += gout[i, grp] (og, l) · colsᵀ (l, kg)
                        gemm.sgemm(false, true, og, kg, l, 1f, gout, gOff, l, b, bOff, l, beta, p, grp * og * kg, kg);
                    }
                }
            }
        });
        if (transposed) {
            for (int grp = 0; grp < g.groups(); grp++) {
                int base = grp * og * kg;
                for (int oc = 0; oc < og; oc++) {
                    for (int kk = 0; kk < kg; kk++) {
                        float sum = 0f;
                        for (float[] p : partial) {
                            sum += p[base + kk * og + oc];
                        }
                        dw[base + oc * kg + kk] = sum;
                    }
                }
            }
            return;
        }
        for (int t = 1; t < tasks; t++) {
            float[] p = partial[t];
            for (int e = 0; e < dw.length; e++) {
                dw[e] += p[e];
            }
        }
    }

    /** db (o) = gout (n, o, oh, ow) summed over images and pixels; db is overwritten. */
    static void backwardBias(ConvGeometry g, float[] gout, float[] db) {
        float[] perImage = new float[g.n() * g.o()];
        Kernels.get().reductions().reduce(ReduceOp.SUM, gout, 0, g.n() * g.o(), g.l(), 1, perImage, 0);
        Kernels.get().reductions().reduce(ReduceOp.SUM, perImage, 0, 1, g.n(), g.o(), db, 0);
    }
}
