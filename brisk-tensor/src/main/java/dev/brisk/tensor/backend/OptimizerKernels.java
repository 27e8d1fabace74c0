package dev.brisk.tensor.backend;

/**
 * Fused optimizer updates: one pass over a parameter, its gradient and its state, in place. Each method's Javadoc
 * is its update rule; {@code p}, {@code g} and the state arrays are read from their offsets for {@code n} elements
 * (state arrays share {@code sOff}). A null optional state array means the feature is off. Implementations must
 * not allocate per element; the reference ({@code ReferenceOptimizers}) computes in double and is the oracle.
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
     * First pass of LAMB: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g² (no decay in g), and returns ‖r‖² = Σ r² of the
     * direction r = (m / bc1) / (√(v / bc2) + eps) + wd·p, without storing r. p is only read.
     */
    double lambMoments(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int sOff, int n, float beta1,
                       float beta2, float eps, float weightDecay, float bc1, float bc2);

    /**
     * Second pass of LAMB: p −= a·r with r = (m / bc1) / (√(v / bc2) + eps) + wd·p recomputed from the updated m, v;
     * the caller passes a = lr · trust ratio.
     */
    void lambApply(float[] p, int pOff, float[] m, float[] v, int sOff, int n, float a, float eps, float weightDecay,
                   float bc1, float bc2);

    /**
     * LARS momentum step with a precomputed layer-wise trust ratio τ: g' = τ·(g + wd·p); buf = μ·buf + g';
     * d = nesterov ? g' + μ·buf : buf; p −= lr·d. (buf starts at zero, so the first step has buf = g'.)
     */
    void lars(float[] p, int pOff, float[] g, int gOff, float[] buf, int sOff, int n, float lr, float trust,
              float momentum, float weightDecay, boolean nesterov);

    /** Σ x² over n elements, accumulated in double (norms for clipping, LAMB and LARS); inf/NaN propagate. */
    double sumOfSquares(float[] x, int off, int n);

    /**
     * x ·= a (loss-scale unscaling, norm clipping); returns true when any element of x was or became inf or NaN.
     */
    boolean scale(float[] x, int off, int n, float a);

    /** x = min(max(x, lo), hi) elementwise (clip by value); NaN stays NaN. */
    void clamp(float[] x, int off, int n, float lo, float hi);

    /** Exponential moving average: s = decay·s + (1 − decay)·p, computed as s += (1 − decay)·(p − s). */
    void ema(float[] s, int sOff, float[] p, int pOff, int n, float decay);
}
