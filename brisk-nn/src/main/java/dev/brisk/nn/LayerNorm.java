package dev.brisk.nn;

import dev.brisk.nn.init.Init;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Norm;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing dims {@code normalizedShape}:
 * {@code y = (x − μ) / √(σ² + eps) · weight + bias}, with μ and the biased σ² per sample over those dims.
 *
 * <p>Default initialisation (PyTorch's {@code reset_parameters}): weight ones, bias zeros. Without
 * {@code elementwiseAffine} there are no parameters.
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final float eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Over the last dim of size {@code dim}, eps 1e-5, with weight and bias. */
    public LayerNorm(int dim) {
        this(new int[] {dim}, 1e-5f, true);
    }

    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape needs at least one dim");
        }
        for (int d : normalizedShape) {
            Checks.positive("LayerNorm", "every normalizedShape entry (" + Shapes.format(normalizedShape) + ")", d);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = Checks.positiveFinite("LayerNorm", "eps", eps);
        this.weight = elementwiseAffine ? registerParameter("weight", Init.ones(Tensor.zeros(normalizedShape))) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
        describe(Shapes.format(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + elementwiseAffine);
    }

    @Override
    public Tensor forward(Tensor x) {
        // (*, normalizedShape) -> same
        int k = normalizedShape.length;
        int[] s = x.shape();
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: expected input of shape (*, "
                    + Shapes.format(normalizedShape).replaceAll("[\\[\\]]", "") + "), got " + Shapes.format(s));
        }
        Checks.floating("LayerNorm", x);
        return Norm.layerNorm(x, k, weight, bias, eps);
    }

    /** normalizedShape, or null without elementwise affine */
    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
