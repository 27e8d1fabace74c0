package dev.brisk.tensor.backend;

/**
 * Fused optimizer updates: one pass over a parameter, its gradient and its state, in place. Each method's Javadoc
 * is its update rule; {@code p}, {@code g} and the state arrays are read from their offsets for {@code n} elements
 * (state arrays share {@code sOff}). A null optional state array means the feature is off.
 */
public interface OptimizerKernels {

    /**
     * SGD (PyTorch semantics). g' = g + wd·p; if momentum μ ≠ 0: buf = g' on the first step, else
     * buf = μ·buf + (1−dampening)·g'; d = nesterov ? g' + μ·buf : buf (d = g' without momentum); p −= lr·d.
     */
    void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int n, float lr, float momentum,
             float dampening, boolean nesterov, float weightDecay, boolean firstStep);

    /**
     * Adam / AdamW. Coupled decay (Adam): g' = g + wd·p. Decoupled (AdamW): p ·= 1 − lr·wd first, g' = g.
     * m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²; p −= lr · (m / bc1) / (√(v / bc2) + eps), where
     * bc1 = 1 − β1^t and bc2 = 1 − β2^t are passed in.
     */
    void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n, float lr, float beta1,
              float beta2, float eps, float weightDecay, boolean decoupled, float bc1, float bc2);

    /**
     * RMSProp. g' = g + wd·p; sq = α·sq + (1−α)·g'²; if centered: avg = α·avg + (1−α)·g', denom = √(sq − avg²) + eps,
     * else denom = √sq + eps; if momentum μ ≠ 0: buf = μ·buf + g'/denom, p −= lr·buf; else p −= lr·g'/denom.
     */
    void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] avg, float[] buf, int sOff, int n,
                 float lr, float alpha, float eps, float weightDecay, float momentum);

    /** Adagrad. g' = g + wd·p; sum += g'²; p −= lr·g' / (√sum + eps)  (lr already decayed by the caller). */
    void adagrad(float[] p, int pOff, float[] g, int gOff, float[] sum, int sOff, int n, float lr, float eps,
                 float weightDecay);

    /**
     * The Adam part of LAMB, without touching p: m and v updated as Adam (no decay in g), then
     * out = (m / bc1) / (√(v / bc2) + eps) + wd·p. The caller scales out by the trust ratio ‖p‖/‖out‖.
     */
    void lambDirection(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n, float beta1,
                       float beta2, float eps, float weightDecay, float bc1, float bc2, float[] out, int outOff);

    /** p −= a·d: applies a precomputed direction (LAMB). */
    void axpy(float a, float[] d, int dOff, float[] p, int pOff, int n);

    /** Σ x² over n elements, accumulated in double (norms for clipping, LAMB and LARS). */
    double sumOfSquares(float[] x, int off, int n);
}
