package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.OptimizerKernels;

/** Scalar optimizer updates in double, the oracle for the fused kernels (each rule spelled out as documented). */
final class ReferenceOptimizers implements OptimizerKernels {

    @Override
    public void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int n, float lr, float momentum,
                    float dampening, boolean nesterov, float weightDecay, boolean firstStep) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i] + (double) weightDecay * p[pOff + i];
            double d = gi;
            if (momentum != 0) {
                double b = firstStep ? gi : momentum * (double) buf[sOff + i] + (1 - (double) dampening) * gi;
                buf[sOff + i] = (float) b;
                d = nesterov ? gi + momentum * b : b;
            }
            p[pOff + i] = (float) (p[pOff + i] - lr * d);
        }
    }

    @Override
    public void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n, float lr,
                     float beta1, float beta2, float eps, float weightDecay, boolean decoupled, float bc1, float bc2) {
        for (int i = 0; i < n; i++) {
            double pi = p[pOff + i];
            double gi = g[gOff + i];
            if (decoupled) {
                pi *= 1 - (double) lr * weightDecay;
            } else {
                gi += weightDecay * pi;
            }
            double mi = beta1 * (double) m[sOff + i] + (1 - (double) beta1) * gi;
            double vi = beta2 * (double) v[sOff + i] + (1 - (double) beta2) * gi * gi;
            m[sOff + i] = (float) mi;
            v[sOff + i] = (float) vi;
            p[pOff + i] = (float) (pi - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
        }
    }

    @Override
    public void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] avg, float[] buf, int sOff,
                        int n, float lr, float alpha, float eps, float weightDecay, float momentum) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i] + (double) weightDecay * p[pOff + i];
            double s = alpha * (double) sq[sOff + i] + (1 - (double) alpha) * gi * gi;
            sq[sOff + i] = (float) s;
            double denom;
            if (avg != null) {
                double a = alpha * (double) avg[sOff + i] + (1 - (double) alpha) * gi;
                avg[sOff + i] = (float) a;
                denom = Math.sqrt(s - a * a) + eps;
            } else {
                denom = Math.sqrt(s) + eps;
            }
            if (momentum != 0) {
                double b = momentum * (double) buf[sOff + i] + gi / denom;
                buf[sOff + i] = (float) b;
                p[pOff + i] = (float) (p[pOff + i] - lr * b);
            } else {
                p[pOff + i] = (float) (p[pOff + i] - lr * gi / denom);
            }
        }
    }

    @Override
    public void adagrad(float[] p, int pOff, float[] g, int gOff, float[] sum, int sOff, int n, float lr, float eps,
                        float weightDecay) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i] + (double) weightDecay * p[pOff + i];
            double s = sum[sOff + i] + gi * gi;
            sum[sOff + i] = (float) s;
            p[pOff + i] = (float) (p[pOff + i] - lr * gi / (Math.sqrt(s) + eps));
        }
    }

    @Override
    public double lambMoments(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n,
                              float beta1, float beta2, float eps, float weightDecay, float bc1, float bc2) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double mi = beta1 * (double) m[sOff + i] + (1 - (double) beta1) * gi;
            double vi = beta2 * (double) v[sOff + i] + (1 - (double) beta2) * gi * gi;
            m[sOff + i] = (float) mi;
            v[sOff + i] = (float) vi;
            double r = (mi / bc1) / (Math.sqrt(vi / bc2) + eps) + weightDecay * (double) p[pOff + i];
            sum += r * r;
        }
        return sum;
    }

    @Override
    public void lambApply(float[] p, int pOff, float[] m, float[] v, int sOff, int n, float a, float eps,
                          float weightDecay, float bc1, float bc2) {
        for (int i = 0; i < n; i++) {
            double pi = p[pOff + i];
            double r = (m[sOff + i] / (double) bc1) / (Math.sqrt(v[sOff + i] / (double) bc2) + eps) + weightDecay * pi;
            p[pOff + i] = (float) (pi - (double) a * r);
        }
    }

    @Override
    public void lars(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int n, float lr, float trust,
                     float momentum, float weightDecay, boolean nesterov) {
        for (int i = 0; i < n; i++) {
            double gi = trust * (g[gOff + i] + (double) weightDecay * p[pOff + i]);
            double b = momentum * (double) buf[sOff + i] + gi;
            buf[sOff + i] = (float) b;
            double d = nesterov ? gi + momentum * b : b;
            p[pOff + i] = (float) (p[pOff + i] - lr * d);
        }
    }

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[off + i] * x[off + i];
        }
        return s;
    }

    @Override
    public boolean scale(float[] x, int off, int n, float a) {
        boolean nonFinite = false;
        for (int i = 0; i < n; i++) {
            nonFinite |= !Float.isFinite(x[off + i]);
            x[off + i] = (float) ((double) x[off + i] * a);
            nonFinite |= !Float.isFinite(x[off + i]);
        }
        return nonFinite;
    }

    @Override
    public void clamp(float[] x, int off, int n, float lo, float hi) {
        for (int i = 0; i < n; i++) {
            x[off + i] = Math.min(Math.max(x[off + i], lo), hi);
        }
    }

    @Override
    public void ema(float[] s, int sOff, float[] p, int pOff, int n, float decay) {
        for (int i = 0; i < n; i++) {
            double si = s[sOff + i];
            s[sOff + i] = (float) (si + (1 - (double) decay) * (p[pOff + i] - si));
        }
    }
}
