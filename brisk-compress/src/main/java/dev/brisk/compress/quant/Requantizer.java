package dev.brisk.compress.quant;

/**
 * Turns int32 accumulators of an int8 layer into its output. With input {@code (s_x, z_x)} and per-channel weight
 * scales {@code s_w[o]} (zero point 0), the real output is
 * <pre>
 *   y[o] = s_x·s_w[o]·(acc[o] − z_x·Σ_k w_q[o][k]) + bias[o]
 * </pre>
 * then ReLU when fused, then either requantized to int8 with the output parameters
 * {@code q = clamp(round(y / s_y) + z_y)} or kept as float (the model's last layer).
 */
final class Requantizer {

    private final float[] weightScale;
    private final int[] weightRowSum;
    private final float[] bias;
    private final boolean relu;
    private final QParams out;

    /**
     * @param weights (channels × k) int8
     * @param bias    per channel, or null
     * @param out     output parameters, or null for float output
     */
    Requantizer(byte[] weights, int channels, float[] weightScale, float[] bias, boolean relu, QParams out) {
        int k = weights.length / channels;
        this.weightRowSum = new int[channels];
        for (int o = 0; o < channels; o++) {
            int s = 0;
            for (int p = 0; p < k; p++) {
                s += weights[o * k + p];
            }
            weightRowSum[o] = s;
        }
        this.weightScale = weightScale.clone();
        this.bias = bias == null ? new float[channels] : bias.clone();
        this.relu = relu;
        this.out = out;
    }

    QParams out() {
        return out;
    }

    boolean floatOutput() {
        return out == null;
    }

    /** The real value of accumulator {@code acc} of channel {@code o} for an input quantized with {@code in}. */
    float real(int acc, int o, QParams in) {
        float y = in.scale() * weightScale[o] * (acc - in.zeroPoint() * weightRowSum[o]) + bias[o];
        return relu ? Math.max(y, 0f) : y;
    }

    byte requantize(int acc, int o, QParams in) {
        return out.quantize(real(acc, o, in));
    }

    /**
     * Requantizes {@code count} accumulators of channel {@code o} (a conv output plane) in one pass:
     * {@code q = round(acc·m + c) + z_y} with {@code m = s_x·s_w[o]/s_y} and {@code c = (b[o] − s_x·s_w[o]·z_x·Σw)/s_y},
     * then {@code max(q, z_y)} for a fused ReLU (the real 0 is the code z_y, and rounding is monotone).
     */
    void requantizePlane(int[] acc, int accOff, int count, int o, QParams in, byte[] dst, int dstOff) {
        float sw = in.scale() * weightScale[o];
        float m = sw / out.scale();
        float c = (bias[o] - sw * in.zeroPoint() * weightRowSum[o]) / out.scale();
        int zp = out.zeroPoint();
        int lo = relu ? Math.max(zp, QParams.QMIN) : QParams.QMIN;
        for (int i = 0; i < count; i++) {
            int q = Math.round(acc[accOff + i] * m + c) + zp;
            dst[dstOff + i] = (byte) Math.min(Math.max(q, lo), QParams.QMAX);
        }
    }

    /** The real values of {@code count} accumulators of channel {@code o} (float output). */
    void realPlane(int[] acc, int accOff, int count, int o, QParams in, float[] dst, int dstOff) {
        for (int i = 0; i < count; i++) {
            dst[dstOff + i] = real(acc[accOff + i], o, in);
        }
    }
}
