package dev.brisk.compress.quant;

/**
 * Affine int8 quantization {@code q = clamp(round(x / scale) + zeroPoint, qmin, qmax)}, {@code x ≈ scale·(q − zp)}.
 * Activations use the full range [−128, 127] with a zero point chosen so that the real 0 is exactly representable
 * (zero padding and ReLU stay exact); weights are symmetric, zero point 0, in [−127, 127] (PyTorch's
 * {@code qint8} symmetric per-channel scheme).
 */
public record QParams(float scale, int zeroPoint) {

    public static final int QMIN = -128;
    public static final int QMAX = 127;

    public QParams {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("quantization scale must be positive and finite, got " + scale);
        }
        if (zeroPoint < QMIN || zeroPoint > QMAX) {
            throw new IllegalArgumentException("zero point must be in [" + QMIN + ", " + QMAX + "], got " + zeroPoint);
        }
    }

    /** Affine parameters covering [min, max] widened to include 0: scale = (max − min) / 255. */
    public static QParams affine(float min, float max) {
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        float scale = (hi - lo) / (QMAX - QMIN);
        if (!(scale > 0)) {
            scale = 1e-8f; // an all-zero tensor: any scale represents it exactly
        }
        int zp = Math.round(QMIN - lo / scale);
        return new QParams(scale, Math.clamp(zp, QMIN, QMAX));
    }

    /** Symmetric parameters for values in [−absMax, absMax]: scale = absMax / 127, zero point 0. */
    public static QParams symmetric(float absMax) {
        return new QParams(absMax > 0 ? absMax / 127f : 1e-8f, 0);
    }

    public byte quantize(float x) {
        return (byte) Math.clamp(Math.round(x / scale) + (long) zeroPoint, QMIN, QMAX);
    }

    public float dequantize(int q) {
        return scale * (q - zeroPoint);
    }

    /** The real value range this can represent. */
    public float min() {
        return dequantize(QMIN);
    }

    public float max() {
        return dequantize(QMAX);
    }
}
