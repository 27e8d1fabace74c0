package dev.brisk.tensor.reference;

import dev.brisk.tensor.backend.PoolKernels;

/**
 * Scalar pooling, one output element at a time, exactly as PyTorch's CPU kernels define it (ceil_mode off):
 *
 * <pre>
 *   window of out[p][r][q]: rows r·sh − ph + i·dh (i &lt; kh), columns q·sw − pw + j·dw (j &lt; kw)
 *   max: the first maximum in row-major window order over in-image positions; a NaN counts as the maximum
 *   avg: Σ over in-image positions / count, count = (he − hs)·(we − ws) with the window clipped to the padded
 *        image (countIncludePad) or to the image itself
 * </pre>
 */
public final class ReferencePooling implements PoolKernels {

    @Override
    public void maxPool2d(float[] x, int xOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph,
                          int pw, int dh, int dw, float[] out, int outOff, int oh, int ow, int[] argmax,
                          int argOff) {
        for (int p = 0; p < planes; p++) {
            int plane = xOff + p * h * w;
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bestAt = -1;
                    for (int i = 0; i < kh; i++) {
                        int ih = r * sh - ph + i * dh;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        for (int j = 0; j < kw; j++) {
                            int iw = q * sw - pw + j * dw;
                            if (iw < 0 || iw >= w) {
                                continue;
                            }
                            float v = x[plane + ih * w + iw];
                            if (bestAt < 0 || v > best || Float.isNaN(v)) {
                                best = v;
                                bestAt = ih * w + iw;
                            }
                        }
                    }
                    int o = (p * oh + r) * ow + q;
                    out[outOff + o] = best;
                    argmax[argOff + o] = bestAt;
                }
            }
        }
    }

    @Override
    public void maxPool2dBackward(float[] g, int gOff, int[] argmax, int argOff, int planes, int oh, int ow,
                                  float[] dx, int dxOff, int h, int w) {
        for (int p = 0; p < planes; p++) {
            for (int e = 0; e < oh * ow; e++) {
                int o = p * oh * ow + e;
                int k = argmax[argOff + o];
                if (k >= 0) { // -1: the window held no in-image element
                    dx[dxOff + p * h * w + k] += g[gOff + o];
                }
            }
        }
    }

    @Override
    public void avgPool2d(float[] x, int xOff, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph,
                          int pw, boolean countIncludePad, float[] out, int outOff, int oh, int ow) {
        for (int p = 0; p < planes; p++) {
            int plane = xOff + p * h * w;
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    int hs = r * sh - ph, ws = q * sw - pw;
                    int he = Math.min(hs + kh, h + ph), we = Math.min(ws + kw, w + pw);
                    int padded = (he - hs) * (we - ws);
                    hs = Math.max(hs, 0);
                    ws = Math.max(ws, 0);
                    he = Math.min(he, h);
                    we = Math.min(we, w);
                    float sum = 0f;
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            sum += x[plane + ih * w + iw];
                        }
                    }
                    int count = countIncludePad ? padded : (he - hs) * (we - ws);
                    out[outOff + (p * oh + r) * ow + q] = sum / count;
                }
            }
        }
    }

    @Override
    public void avgPool2dBackward(float[] g, int gOff, int planes, int h, int w, int kh, int kw, int sh, int sw,
                                  int ph, int pw, boolean countIncludePad, float[] dx, int dxOff, int oh, int ow) {
        for (int p = 0; p < planes; p++) {
            int plane = dxOff + p * h * w;
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    int hs = r * sh - ph, ws = q * sw - pw;
                    int he = Math.min(hs + kh, h + ph), we = Math.min(ws + kw, w + pw);
                    int padded = (he - hs) * (we - ws);
                    hs = Math.max(hs, 0);
                    ws = Math.max(ws, 0);
                    he = Math.min(he, h);
                    we = Math.min(we, w);
                    int count = countIncludePad ? padded : (he - hs) * (we - ws);
                    float share = g[gOff + (p * oh + r) * ow + q] / count;
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            dx[plane + ih * w + iw] += share;
                        }
                    }
                }
            }
        }
    }
}
