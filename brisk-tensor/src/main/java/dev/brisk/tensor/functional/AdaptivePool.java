package dev.brisk.tensor.functional;

/**
 * Adaptive average pooling for sizes that do not divide evenly: windows of varying size, as PyTorch.
 *
 * <pre>
 *   out[p][r][q] = mean of x[p][hs(r) .. he(r) − 1][ws(q) .. we(q) − 1]
 *   hs(r) = ⌊r·H / OH⌋,  he(r) = ⌈(r + 1)·H / OH⌉   (likewise for columns)
 * </pre>
 */
final class AdaptivePool {

    private AdaptivePool() {
    }

    static void forward(float[] x, int planes, int h, int w, float[] out, int oh, int ow) {
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                int hs = start(r, h, oh), he = end(r, h, oh);
                for (int q = 0; q < ow; q++) {
                    int ws = start(q, w, ow), we = end(q, w, ow);
                    float sum = 0f;
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            sum += x[(p * h + ih) * w + iw];
                        }
                    }
                    out[(p * oh + r) * ow + q] = sum / ((he - hs) * (we - ws));
                }
            }
        }
    }

    /** dx (zeroed by the caller) += g spread evenly over each window. */
    static void backward(float[] g, int planes, int h, int w, float[] dx, int oh, int ow) {
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                int hs = start(r, h, oh), he = end(r, h, oh);
                for (int q = 0; q < ow; q++) {
                    int ws = start(q, w, ow), we = end(q, w, ow);
                    float share = g[(p * oh + r) * ow + q] / ((he - hs) * (we - ws));
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            dx[(p * h + ih) * w + iw] += share;
                        }
                    }
                }
            }
        }
    }

    private static int start(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    private static int end(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }
}
