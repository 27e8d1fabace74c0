package dev.brisk.cpu.norm;

import static jdk.incubator.vector.VectorOperators.ADD;

import dev.brisk.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-norm kernels on an (outer, channels, inner) block, in two layouts:
 *
 * <ul>
 *   <li>{@code inner == 1} ((N, C) input, BatchNorm1d): channel c is a column, so a vector holds {@link #L}
 *       consecutive channels and walks down the rows; a <em>tile</em> is those L channels.</li>
 *   <li>{@code inner > 1} ((N, C, H, W), BatchNorm2d): channel c is {@code outer} contiguous runs of
 *       {@code inner} elements; vectors run along each run.</li>
 * </ul>
 *
 * Statistics are two-pass (mean, then Σ(x − mean)²), so a large common offset costs no accuracy. Per-run sums
 * are float vectors added into double; down columns, float partial sums are flushed into a second float
 * accumulator every {@link #FLUSH} rows.
 */
final class ChannelNorms {

    private static final VectorSpecies<Float> F = Simd.F;
    static final int L = F.length();

    /** Rows summed in a float vector before being added to the running total (column layout). */
    private static final int FLUSH = 256;

    private ChannelNorms() {
    }

    // ---- columns (inner == 1) -----------------------------------------------------------------------------------

    /** Mean and biased variance of channels [c0, c0 + L) ∩ [0, channels) of a (rows, channels) block. */
    static void columnStats(float[] x, int xOff, int rows, int channels, int c0, float[] mean, float[] var) {
        VectorMask<Float> m = RowNorms.tail(channels - c0);
        FloatVector mu = columnSum(x, xOff + c0, rows, channels, m, FloatVector.zero(F), false).div(rows);
        columnSum(x, xOff + c0, rows, channels, m, mu, true).div(rows).intoArray(var, c0, m);
        mu.intoArray(mean, c0, m);
    }

    /** Σ_rows x (shift = 0) or Σ_rows (x − shift)² of one tile. */
    private static FloatVector columnSum(float[] x, int off, int rows, int stride, VectorMask<Float> m,
                                         FloatVector shift, boolean square) {
        FloatVector total = FloatVector.zero(F);
        for (int r0 = 0; r0 < rows; r0 += FLUSH) {
            FloatVector s = FloatVector.zero(F);
            for (int r = r0, end = Math.min(rows, r0 + FLUSH); r < end; r++) {
                FloatVector d = FloatVector.fromArray(F, x, off + r * stride, m).sub(shift);
                s = square ? d.fma(d, s) : s.add(d);
            }
            total = total.add(s);
        }
        return total;
    }

    /** y = (x − mean)·scale + shift for rows [r0, r1) of a (rows, channels) block. */
    static void columnAffine(float[] x, int xOff, int channels, float[] mean, float[] scale, float[] shift,
                             float[] y, int yOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int xi = xOff + r * channels;
            int yi = yOff + r * channels;
            for (int c = 0; c < channels; c += L) {
                VectorMask<Float> m = RowNorms.tail(channels - c);
                FloatVector v = FloatVector.fromArray(F, x, xi + c, m);
                if (mean != null) {
                    v = v.sub(FloatVector.fromArray(F, mean, c, m));
                }
                v = v.mul(FloatVector.fromArray(F, scale, c, m));
                if (shift != null) {
                    v = v.add(FloatVector.fromArray(F, shift, c, m));
                }
                v.intoArray(y, yi + c, m);
            }
        }
    }

    /** Batch-norm backward for the tile of channels [c0, c0 + L) of a (rows, channels) block. */
    static void columnBackward(boolean training, float[] g, int gOff, float[] x, int xOff, int rows, int channels,
                               int c0, float[] mean, float[] rstd, float[] gamma, float[] dx, int dxOff,
                               float[] dgamma, float[] dbeta) {
        VectorMask<Float> m = RowNorms.tail(channels - c0);
        FloatVector mu = FloatVector.fromArray(F, mean, c0, m);
        FloatVector rs = FloatVector.fromArray(F, rstd, c0, m);
        FloatVector sg = FloatVector.zero(F);
        FloatVector sgx = sg;   // Σ g·(x − mean), times rstd below
        if (training || dgamma != null || dbeta != null) {
            for (int r0 = 0; r0 < rows; r0 += FLUSH) {
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = s1;
                for (int r = r0, end = Math.min(rows, r0 + FLUSH); r < end; r++) {
                    FloatVector gv = FloatVector.fromArray(F, g, gOff + r * channels + c0, m);
                    FloatVector xv = FloatVector.fromArray(F, x, xOff + r * channels + c0, m);
                    s1 = s1.add(gv);
                    s2 = gv.fma(xv.sub(mu), s2);
                }
                sg = sg.add(s1);
                sgx = sgx.add(s2);
            }
            sgx = sgx.mul(rs);
            if (dgamma != null) {
                sgx.add(FloatVector.fromArray(F, dgamma, c0, m)).intoArray(dgamma, c0, m);
            }
            if (dbeta != null) {
                sg.add(FloatVector.fromArray(F, dbeta, c0, m)).intoArray(dbeta, c0, m);
            }
        }
        if (dx == null) {
            return;
        }
        // dx = a·g + b·(x − mean) + c: a = γ·rs; training: b = −a·rs·Σg·x̂/M, c = −a·Σg/M; eval: b = c = 0
        FloatVector a = gamma == null ? rs : rs.mul(FloatVector.fromArray(F, gamma, c0, m));
        FloatVector b = training ? a.mul(rs).mul(sgx).div(-rows) : FloatVector.zero(F);
        FloatVector c = training ? a.mul(sg).div(-rows) : FloatVector.zero(F);
        for (int r = 0; r < rows; r++) {
            int gi = gOff + r * channels + c0;
            FloatVector gv = FloatVector.fromArray(F, g, gi, m);
            FloatVector xv = FloatVector.fromArray(F, x, xOff + r * channels + c0, m);
            gv.fma(a, xv.sub(mu).fma(b, c)).intoArray(dx, dxOff + r * channels + c0, m);
        }
    }

    // ---- runs (inner > 1) ---------------------------------------------------------------------------------------

    /** Mean and biased variance of channel c. */
    static void runStats(float[] x, int xOff, int outer, int channels, int inner, int c, float[] mean,
                         float[] var) {
        long count = (long) outer * inner;
        double s = 0;
        for (int o = 0; o < outer; o++) {
            s += RowNorms.sum(x, xOff + (o * channels + c) * inner, inner, 0f, false);
        }
        float mu = (float) (s / count);
        double v = 0;
        for (int o = 0; o < outer; o++) {
            v += RowNorms.sum(x, xOff + (o * channels + c) * inner, inner, mu, true);
        }
        mean[c] = mu;
        var[c] = (float) (v / count);
    }

    /** y = (x − mean)·scale + shift for one run of channel c. */
    static void runAffine(float[] x, int xi, int inner, float mean, float scale, float shift, float[] y, int yi) {
        FloatVector mu = FloatVector.broadcast(F, mean);
        FloatVector a = FloatVector.broadcast(F, scale);
        FloatVector b = FloatVector.broadcast(F, shift);
        int i = 0;
        for (int end = F.loopBound(inner); i < end; i += L) {
            FloatVector.fromArray(F, x, xi + i).sub(mu).fma(a, b).intoArray(y, yi + i);
        }
        if (i < inner) {
            VectorMask<Float> m = RowNorms.tail(inner - i);
            FloatVector.fromArray(F, x, xi + i, m).sub(mu).fma(a, b).intoArray(y, yi + i, m);
        }
    }

    /** Batch-norm backward for channel c. */
    static void runBackward(boolean training, float[] g, int gOff, float[] x, int xOff, int outer, int channels,
                            int inner, int c, float[] mean, float[] rstd, float[] gamma, float[] dx, int dxOff,
                            float[] dgamma, float[] dbeta) {
        float mu = mean[c];
        float rs = rstd[c];
        double sg = 0;
        double sgx = 0;
        if (training || dgamma != null || dbeta != null) {
            FloatVector muv = FloatVector.broadcast(F, mu);
            for (int o = 0; o < outer; o++) {
                int run = (o * channels + c) * inner;
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = s1;
                int i = 0;
                for (int end = F.loopBound(inner); i < end; i += L) {
                    FloatVector gv = FloatVector.fromArray(F, g, gOff + run + i);
                    s1 = s1.add(gv);
                    s2 = gv.fma(FloatVector.fromArray(F, x, xOff + run + i).sub(muv), s2);
                }
                if (i < inner) {
                    VectorMask<Float> m = RowNorms.tail(inner - i);
                    FloatVector gv = FloatVector.fromArray(F, g, gOff + run + i, m);
                    s1 = s1.add(gv);
                    s2 = gv.fma(FloatVector.fromArray(F, x, xOff + run + i, m).sub(muv), s2);
                }
                sg += s1.reduceLanes(ADD);
                sgx += s2.reduceLanes(ADD);
            }
            sgx *= rs;
            if (dgamma != null) {
                dgamma[c] += (float) sgx;
            }
            if (dbeta != null) {
                dbeta[c] += (float) sg;
            }
        }
        if (dx == null) {
            return;
        }
        long count = (long) outer * inner;
        float a = gamma == null ? rs : gamma[c] * rs;
        float b = training ? (float) (-a * rs * sgx / count) : 0f;
        float k = training ? (float) (-a * sg / count) : 0f;
        for (int o = 0; o < outer; o++) {
            int run = (o * channels + c) * inner;
            runDx(g, gOff + run, x, xOff + run, inner, mu, a, b, k, dx, dxOff + run);
        }
    }

    /** dx = a·g + b·(x − mean) + k along one run. */
    private static void runDx(float[] g, int gi, float[] x, int xi, int inner, float mean, float a, float b, float k,
                              float[] dx, int dxi) {
        FloatVector mu = FloatVector.broadcast(F, mean);
        FloatVector av = FloatVector.broadcast(F, a);
        FloatVector bv = FloatVector.broadcast(F, b);
        FloatVector kv = FloatVector.broadcast(F, k);
        int i = 0;
        for (int end = F.loopBound(inner); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xi + i);
            FloatVector.fromArray(F, g, gi + i).fma(av, xv.sub(mu).fma(bv, kv)).intoArray(dx, dxi + i);
        }
        if (i < inner) {
            VectorMask<Float> m = RowNorms.tail(inner - i);
            FloatVector xv = FloatVector.fromArray(F, x, xi + i, m);
            FloatVector.fromArray(F, g, gi + i, m).fma(av, xv.sub(mu).fma(bv, kv)).intoArray(dx, dxi + i, m);
        }
    }
}
