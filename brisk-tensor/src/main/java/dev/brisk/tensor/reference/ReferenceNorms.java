package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.NormKernels;

/**
 * Scalar norms in double, written straight from the formulas of {@link NormKernels}: two passes for every
 * statistic (mean, then Σ(x − μ)²), every sum in double, one rounding to float per output. The oracle that the
 * vector kernels are tested against.
 */
final class ReferenceNorms implements NormKernels {

    private static double gammaAt(float[] gamma, int i) {
        return gamma == null ? 1.0 : gamma[i];
    }

    // ---- layer norm ---------------------------------------------------------------------------------------------

    @Override
    public void layerNorm(float[] x, int xOff, int rows, int n, float[] gamma, float[] beta, float eps,
                          float[] y, int yOff, float[] mean, float[] rstd) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            int yi = yOff + r * n;
            double mu = 0;
            for (int j = 0; j < n; j++) {
                mu += x[xi + j];
            }
            mu /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = x[xi + j] - mu;
                var += d * d;
            }
            var /= n;
            double rs = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < n; j++) {
                double v = (x[xi + j] - mu) * rs * gammaAt(gamma, j) + (beta == null ? 0 : beta[j]);
                y[yi + j] = (float) v;
            }
            mean[r] = (float) mu;
            rstd[r] = (float) rs;
        }
    }

    // y = (x − μ)·rstd·γ + β  =>  dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dγ = Σ g·x̂, dβ = Σ g
    @Override
    public void layerNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma,
                                  float[] mean, float[] rstd, float[] dx, int dxOff, float[] dgamma,
                                  float[] dbeta) {
        double[] dg = new double[n];
        double[] db = new double[n];
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            int gi = gOff + r * n;
            double mu = mean[r];
            double rs = rstd[r];
            double sumG = 0;
            double sumGX = 0;
            for (int j = 0; j < n; j++) {
                double xh = (x[xi + j] - mu) * rs;
                double gh = g[gi + j] * gammaAt(gamma, j);
                sumG += gh;
                sumGX += gh * xh;
                dg[j] += g[gi + j] * xh;
                db[j] += g[gi + j];
            }
            if (dx != null) {
                for (int j = 0; j < n; j++) {
                    double xh = (x[xi + j] - mu) * rs;
                    double gh = g[gi + j] * gammaAt(gamma, j);
                    dx[dxOff + r * n + j] = (float) (rs * (gh - sumG / n - xh * sumGX / n));
                }
            }
        }
        accumulate(dgamma, dg);
        accumulate(dbeta, db);
    }

    // ---- RMS norm -----------------------------------------------------------------------------------------------

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int n, float[] gamma, float eps, float[] y, int yOff,
                        float[] rstd) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            double ms = 0;
            for (int j = 0; j < n; j++) {
                ms += (double) x[xi + j] * x[xi + j];
            }
            double rs = 1.0 / Math.sqrt(ms / n + eps);
            for (int j = 0; j < n; j++) {
                y[yOff + r * n + j] = (float) (x[xi + j] * rs * gammaAt(gamma, j));
            }
            rstd[r] = (float) rs;
        }
    }

    // y = x·rstd·γ  =>  dx = rstd·(ĝ − x̂·mean(ĝ·x̂)), dγ = Σ g·x̂
    @Override
    public void rmsNormBackward(float[] g, int gOff, float[] x, int xOff, int rows, int n, float[] gamma,
                                float[] rstd, float[] dx, int dxOff, float[] dgamma) {
        double[] dg = new double[n];
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * n;
            int gi = gOff + r * n;
            double rs = rstd[r];
            double sumGX = 0;
            for (int j = 0; j < n; j++) {
                double xh = x[xi + j] * rs;
                sumGX += g[gi + j] * gammaAt(gamma, j) * xh;
                dg[j] += g[gi + j] * xh;
            }
            if (dx != null) {
                for (int j = 0; j < n; j++) {
                    double xh = x[xi + j] * rs;
                    double gh = g[gi + j] * gammaAt(gamma, j);
                    dx[dxOff + r * n + j] = (float) (rs * (gh - xh * sumGX / n));
                }
            }
        }
        accumulate(dgamma, dg);
    }

    // ---- batch norm ---------------------------------------------------------------------------------------------

    @Override
    public void channelStats(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] var) {
        long m = (long) outer * inner;
        for (int c = 0; c < channels; c++) {
            double mu = 0;
            for (int o = 0; o < outer; o++) {
                int base = xOff + (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    mu += x[base + i];
                }
            }
            mu /= m;
            double v = 0;
            for (int o = 0; o < outer; o++) {
                int base = xOff + (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    double d = x[base + i] - mu;
                    v += d * d;
                }
            }
            mean[c] = (float) mu;
            var[c] = (float) (v / m);
        }
    }

    @Override
    public void channelAffine(float[] x, int xOff, int outer, int channels, int inner, float[] mean, float[] scale,
                              float[] shift, float[] y, int yOff) {
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int run = (o * channels + c) * inner;
                double mu = mean == null ? 0 : mean[c];
                double b = shift == null ? 0 : shift[c];
                for (int i = 0; i < inner; i++) {
                    y[yOff + run + i] = (float) ((x[xOff + run + i] - mu) * scale[c] + b);
                }
            }
        }
    }

    @Override
    public void batchNormBackward(boolean training, float[] g, int gOff, float[] x, int xOff, int outer,
                                  int channels, int inner, float[] mean, float[] rstd, float[] gamma, float[] dx,
                                  int dxOff, float[] dgamma, float[] dbeta) {
        long m = (long) outer * inner;
        for (int c = 0; c < channels; c++) {
            double mu = mean[c];
            double rs = rstd[c];
            double sumG = 0;
            double sumGX = 0;
            for (int o = 0; o < outer; o++) {
                int run = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    double gv = g[gOff + run + i];
                    sumG += gv;
                    sumGX += gv * (x[xOff + run + i] - mu) * rs;
                }
            }
            if (dgamma != null) {
                dgamma[c] += (float) sumGX;
            }
            if (dbeta != null) {
                dbeta[c] += (float) sumG;
            }
            if (dx == null) {
                continue;
            }
            double k = gammaAt(gamma, c) * rs;
            for (int o = 0; o < outer; o++) {
                int run = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    double gv = g[gOff + run + i];
                    double v;
                    if (training) {
                        double xh = (x[xOff + run + i] - mu) * rs;
                        v = k / m * (m * gv - sumG - xh * sumGX);
                    } else {
                        v = k * gv;
                    }
                    dx[dxOff + run + i] = (float) v;
                }
            }
        }
    }

    private static void accumulate(float[] into, double[] sums) {
        if (into != null) {
            for (int j = 0; j < sums.length; j++) {
                into[j] += (float) sums[j];
            }
        }
    }
}
