package dev.brisk.cpu.norm;

import dev.brisk.cpu.Simd;
import dev.brisk.tensor.Parallel;
import dev.brisk.tensor.backend.NormKernels;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer, RMS and batch norm on the Vector API: the per-row kernels are in {@link RowNorms}, the per-channel
 * ones in {@link ChannelNorms}; this class splits the work over the intra-op pool.
 *
 * <p>Implementation overview. Row norms are independent per row, so rows are split into tasks of at least
 * {@link #GRAIN} elements once a call reaches {@link #PARALLEL_MIN} elements. The row-norm backward also sums
 * dγ and dβ over rows: each of the {@code T ≤ threads} tasks accumulates a contiguous block of rows into its
 * own slice of a per-calling-thread scratch buffer (grown once, then reused: no allocation per call), and the
 * caller adds the T partials into dγ/dβ afterwards. Batch norm is split by channel (by tiles of
 * {@link ChannelNorms#L} channels for (N, C) inputs), so every channel's sums stay in one task and need no
 * reduction. The statistics are two-pass and saved for backward.
 *
 * <p>Cost (n = 128 rows, AVX-512): forward reads x twice from L1 and γ, β, x once more, and writes y: ~3 loads
 * and 2 FMAs per element plus two 16-lane reductions per row; backward reads g and x twice. All of it is bound
 * by L1/L2 bandwidth and the per-row reduction latency, not by arithmetic.
 */
public final class VectorNorms implements NormKernels {

    private static final VectorSpecies<Float> F = Simd.F;

    /** Elements from which a call is split across threads. */
    static final int PARALLEL_MIN = 1 << 14;
    /** Elements per task, at least. */
    static final int GRAIN = 1 << 13;

    /** Per-task dγ/dβ partials of the row-norm backward, owned by the calling thread. */
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

    // ---- layer norm ---------------------------------------------------------------------------------------------

    @Override
    public void layerNorm(float[] x, int xOff, int rows, int n, float[] gamma, float[] beta, float eps,
                          float[] y, int yOff, float[] mean, float[] rstd) {
        if (rows <= 0 || n <= 0) {
            return;
        }
        int per = rowsPerTask(rows, n);
        if (per >= rows) {
            layerNormRows(x, xOff, n, gamma, beta, eps, y, yOff, mean, rstd, 0, rows);
        } else {
            Parallel.forEach(ceilDiv(rows, per), t -> layerNormRows(x, xOff, n, gamma, beta, eps, y, yOff, mean, rstd,
                    t * per, Math.min(rows, (t + 1) * per)));
        }
    }

    private static void layerNormRows(float[] x, int xOff, int n, float[] gamma, float[] beta, float eps, float[] y,
                                      int yOff, float[] mean, float[] rstd, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            RowNorms.layerNorm(x, xOff + r * n, n, gamma, beta, eps, y, yOff + r * n, mean, rstd, r);
        }
    }

    @Override
    public void layerNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma,
                                  float[] mean, float[] rstd, float[] dx, int dxOff, float[] dgamma,
                                  float[] dbeta) {
        if (rows <= 0 || n <= 0) {
            return;
        }
        int tasks = rowsPerTask(rows, n) >= rows ? 1 : Math.min(Parallel.threads(), rows);
        if (tasks == 1) {
            layerNormBackwardRows(g, gOff, x, xOff, n, gamma, mean, rstd, dx, dxOff, dgamma, 0, dbeta, 0, 0, rows);
            return;
        }
        float[] part = partials(tasks, n);
        int per = ceilDiv(rows, tasks);
        Parallel.forEach(tasks, t -> {
            int pg = (2 * t) * n;
            int pb = (2 * t + 1) * n;
            Arrays.fill(part, pg, pg + 2 * n, 0f);
            layerNormBackwardRows(g, gOff, x, xOff, n, gamma, mean, rstd, dx, dxOff, dgamma == null ? null : part, pg,
                    dbeta == null ? null : part, pb, t * per, Math.min(rows, (t + 1) * per));
        });
        reducePartials(part, tasks, n, 0, dgamma);
        reducePartials(part, tasks, n, n, dbeta);
    }

    private static void layerNormBackwardRows(float[] g, int gOff, float[] x, int xOff, int n, float[] gamma,
                                              float[] mean, float[] rstd, float[] dx, int dxOff, float[] dg, int dgOff,
                                              float[] db, int dbOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            RowNorms.layerNormBackward(g, gOff + r * n, x, xOff + r * n, n, gamma, mean[r], rstd[r], dx,
                    dxOff + r * n, dg, dgOff, db, dbOff);
        }
    }

    // ---- RMS norm -----------------------------------------------------------------------------------------------

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int n, float[] gamma, float eps, float[] y, int yOff,
                        float[] rstd) {
        if (rows <= 0 || n <= 0) {
            return;
        }
        int per = rowsPerTask(rows, n);
        if (per >= rows) {
            rmsNormRows(x, xOff, n, gamma, eps, y, yOff, rstd, 0, rows);
        } else {
            Parallel.forEach(ceilDiv(rows, per), t -> rmsNormRows(x, xOff, n, gamma, eps, y, yOff, rstd, t * per,
                    Math.min(rows, (t + 1) * per)));
        }
    }

    private static void rmsNormRows(float[] x, int xOff, int n, float[] gamma, float eps, float[] y, int yOff,
                                    float[] rstd, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            RowNorms.rmsNorm(x, xOff + r * n, n, gamma, eps, y, yOff + r * n, rstd, r);
        }
    }

    @Override
    public void rmsNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma,
                                float[] rstd, float[] dx, int dxOff, float[] dgamma) {
        if (rows <= 0 || n <= 0) {
            return;
        }
        int tasks = rowsPerTask(rows, n) >= rows ? 1 : Math.min(Parallel.threads(), rows);
        if (tasks == 1) {
            rmsNormBackwardRows(g, gOff, x, xOff, n, gamma, rstd, dx, dxOff, dgamma, 0, 0, rows);
            return;
        }
        float[] part = partials(tasks, n);
        int per = ceilDiv(rows, tasks);
        Parallel.forEach(tasks, t -> {
            int pg = (2 * t) * n;
            Arrays.fill(part, pg, pg + n, 0f);
            rmsNormBackwardRows(g, gOff, x, xOff, n, gamma, rstd, dx, dxOff, dgamma == null ? null : part, pg,
                    t * per, Math.min(rows, (t + 1) * per));
        });
        reducePartials(part, tasks, n, 0, dgamma);
    }

    private static void rmsNormBackwardRows(float[] g, int gOff, float[] x, int xOff, int n, float[] gamma,
                                            float[] rstd, float[] dx, int dxOff, float[] dg, int dgOff, int r0,
                                            int r1) {
        for (int r = r0; r < r1; r++) {
            RowNorms.rmsNormBackward(g, gOff + r * n, x, xOff + r * n, n, gamma, rstd[r], dx, dxOff + r * n, dg,
                    dgOff);
        }
    }

    // ---- batch norm ---------------------------------------------------------------------------------------------

    @Override
    public void channelStats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] var) {
        if (channels <= 0) {
            return;
        }
        if (inner == 1) {
            forEachTile(outer, channels, c0 -> ChannelNorms.columnStats(x, xOff, outer, channels, c0, mean, var));
        } else {
            forEachChannel(outer, channels, inner,
                    c -> ChannelNorms.runStats(x, xOff, outer, channels, inner, c, mean, var));
        }
    }

    @Override
    public void channelAffine(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] scale,
                              float[] shift, float[] y, int yOff) {
        if (outer <= 0 || channels <= 0 || inner <= 0) {
            return;
        }
        if (inner == 1) {
            int per = rowsPerTask(outer, channels);
            if (per >= outer) {
                ChannelNorms.columnAffine(x, xOff, channels, mean, scale, shift, y, yOff, 0, outer);
            } else {
                Parallel.forEach(ceilDiv(outer, per), t -> ChannelNorms.columnAffine(x, xOff, channels, mean, scale,
                        shift, y, yOff, t * per, Math.min(outer, (t + 1) * per)));
            }
            return;
        }
        int runs = outer * channels;
        int per = rowsPerTask(runs, inner);
        if (per >= runs) {
            affineRuns(x, xOff, channels, inner, mean, scale, shift, y, yOff, 0, runs);
        } else {
            Parallel.forEach(ceilDiv(runs, per), t -> affineRuns(x, xOff, channels, inner, mean, scale, shift, y, yOff,
                    t * per, Math.min(runs, (t + 1) * per)));
        }
    }

    private static void affineRuns(float[] x, int xOff, int channels, int inner, float[] mean, float[] scale,
                                   float[] shift, float[] y, int yOff, int run0, int run1) {
        for (int run = run0; run < run1; run++) {
            int c = run % channels;
            ChannelNorms.runAffine(x, xOff + run * inner, inner, mean == null ? 0f : mean[c], scale[c],
                    shift == null ? 0f : shift[c], y, yOff + run * inner);
        }
    }

    @Override
    public void batchNormBackward(boolean training, float[] g, int gOff, float[] x, int xOff, int outer,
                                  int channels, int inner, float[] mean, float[] rstd, float[] gamma, float[] dx,
                                  int dxOff, float[] dgamma, float[] dbeta) {
        if (channels <= 0) {
            return;
        }
        if (inner == 1) {
            forEachTile(outer, channels, c0 -> ChannelNorms.columnBackward(training, g, gOff, x, xOff, outer, channels,
                    c0, mean, rstd, gamma, dx, dxOff, dgamma, dbeta));
        } else {
            forEachChannel(outer, channels, inner, c -> ChannelNorms.runBackward(training, g, gOff, x, xOff, outer,
                    channels, inner, c, mean, rstd, gamma, dx, dxOff, dgamma, dbeta));
        }
    }

    // ---- splitting ----------------------------------------------------------------------------------------------

    /** Rows per task for {@code rows} items of {@code n} elements; ≥ rows means "run serially". */
    private static int rowsPerTask(int rows, int n) {
        if ((long) rows * n < PARALLEL_MIN || Parallel.threads() == 1 || rows == 1) {
            return rows;
        }
        return Math.max(1, GRAIN / n);
    }

    /** body(c0) for every tile start c0 = 0, L, 2L, ... below channels; tiles cost {@code outer} vectors each. */
    private static void forEachTile(int outer, int channels, java.util.function.IntConsumer body) {
        int tiles = ceilDiv(channels, F.length());
        int per = rowsPerTask(tiles, outer * F.length());
        if (per >= tiles) {
            for (int t = 0; t < tiles; t++) {
                body.accept(t * F.length());
            }
        } else {
            Parallel.forEach(ceilDiv(tiles, per), task -> {
                for (int t = task * per, end = Math.min(tiles, (task + 1) * per); t < end; t++) {
                    body.accept(t * F.length());
                }
            });
        }
    }

    /** body(c) for every channel; a channel costs outer·inner elements. */
    private static void forEachChannel(int outer, int channels, int inner, java.util.function.IntConsumer body) {
        int per = rowsPerTask(channels, outer * inner);
        if (per >= channels) {
            for (int c = 0; c < channels; c++) {
                body.accept(c);
            }
        } else {
            Parallel.forEach(ceilDiv(channels, per), task -> {
                for (int c = task * per, end = Math.min(channels, (task + 1) * per); c < end; c++) {
                    body.accept(c);
                }
            });
        }
    }

    /** The calling thread's scratch for {@code tasks} × (dγ, dβ) partials of length n, grown when too small. */
    private static float[] partials(int tasks, int n) {
        int need = 2 * tasks * n;
        float[] p = PARTIALS.get();
        if (p.length < need) {
            p = new float[need];
            PARTIALS.set(p);
        }
        return p;
    }

    /** into[j] += Σ_t part[2·t·n + at + j] (vectorised over j). */
    private static void reducePartials(float[] part, int tasks, int n, int at, float[] into) {
        if (into == null) {
            return;
        }
        for (int t = 0; t < tasks; t++) {
            int base = 2 * t * n + at;
            int j = 0;
            for (int end = F.loopBound(n); j < end; j += F.length()) {
                FloatVector.fromArray(F, into, j).add(FloatVector.fromArray(F, part, base + j)).intoArray(into, j);
            }
            for (; j < n; j++) {
                into[j] += part[base + j];
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
