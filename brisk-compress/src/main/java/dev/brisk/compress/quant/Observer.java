package dev.brisk.compress.quant;

import dev.brisk.tensor.Tensor;
import java.util.Arrays;

/**
 * Records the range of an activation over calibration batches and gives its affine int8 parameters.
 * {@link #minMax()} keeps the extreme values seen; {@link #percentile(double)} takes, per batch, the
 * {@code (100 − p)}-th and {@code p}-th percentiles (of at most 2¹⁶ evenly spaced values of the batch) and averages
 * them over batches, so that rare outliers do not stretch the scale and cost every other value resolution.
 */
public final class Observer {

    private static final int SAMPLE = 1 << 16;

    private final double percentile; // 100 = min/max
    private double lo = Double.POSITIVE_INFINITY;
    private double hi = Double.NEGATIVE_INFINITY;
    private double loSum;
    private double hiSum;
    private int batches;

    private Observer(double percentile) {
        this.percentile = percentile;
    }

    public static Observer minMax() {
        return new Observer(100);
    }

    /** @param p in (50, 100], e.g. 99.99 */
    public static Observer percentile(double p) {
        if (!(p > 50 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + p);
        }
        return new Observer(p);
    }

    public void observe(Tensor x) {
        float[] v = x.contiguous().toFloatArray();
        if (v.length == 0) {
            return;
        }
        batches++;
        if (percentile == 100) {
            for (float f : v) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
            return;
        }
        int n = Math.min(v.length, SAMPLE);
        float[] s = new float[n];
        double step = (double) v.length / n;
        for (int i = 0; i < n; i++) {
            s[i] = v[(int) (i * step)];
        }
        Arrays.sort(s);
        int top = (int) Math.min(n - 1, Math.round(percentile / 100 * (n - 1)));
        loSum += s[n - 1 - top];
        hiSum += s[top];
    }

    public boolean isEmpty() {
        return batches == 0;
    }

    /** The observed range as affine parameters. */
    public QParams qparams() {
        if (batches == 0) {
            throw new IllegalStateException("observer saw no data; calibrate with at least one batch");
        }
        if (percentile == 100) {
            return QParams.affine((float) lo, (float) hi);
        }
        return QParams.affine((float) (loSum / batches), (float) (hiSum / batches));
    }
}
