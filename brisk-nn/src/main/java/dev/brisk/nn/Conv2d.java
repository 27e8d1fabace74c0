package dev.brisk.nn;

import dev.brisk.nn.init.FanMode;
import dev.brisk.nn.init.Init;
import dev.brisk.nn.init.Nonlinearity;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Shapes;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Conv;

/**
 * 2-D convolution (cross-correlation) over {@code (N, C, H, W)} or unbatched {@code (C, H, W)} input:
 * {@code weight (out, in/groups, kh, kw)}, {@code bias (out)}; see {@link Conv#conv2d} for the formula.
 *
 * <p>Default initialisation (PyTorch's {@code reset_parameters}): weight by
 * {@code kaimingUniform(a = √5, FAN_IN, LEAKY_RELU)}, i.e. {@code U(−1/√fan_in, 1/√fan_in)} with
 * {@code fan_in = in/groups·kh·kw}; bias {@code U(−1/√fan_in, 1/√fan_in)}.
 */
public final class Conv2d extends Module {

    /**
     * The layer's configuration; every array holds (height, width).
     *
     * @param stride   each ≥ 1
     * @param padding  zero padding, each ≥ 0
     * @param dilation each ≥ 1
     * @param groups   ≥ 1, dividing both channel counts
     */
    public record Config(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation,
                         int groups, boolean bias) {
        public Config {
            Checks.positive("Conv2d", "inChannels", inChannels);
            Checks.positive("Conv2d", "outChannels", outChannels);
            kernel = Checks.pair("Conv2d", "kernel", kernel, false);
            stride = Checks.pair("Conv2d", "stride", stride, false);
            padding = Checks.pair("Conv2d", "padding", padding, true);
            dilation = Checks.pair("Conv2d", "dilation", dilation, false);
            Checks.positive("Conv2d", "groups", groups);
            if (inChannels % groups != 0 || outChannels % groups != 0) {
                throw new IllegalArgumentException("Conv2d: groups=" + groups + " must divide inChannels="
                        + inChannels + " and outChannels=" + outChannels);
            }
        }

        /** Square kernel, stride and padding; dilation 1, one group, with bias (the common case). */
        public Config(int inChannels, int outChannels, int kernel, int stride, int padding) {
            this(inChannels, outChannels, new int[] {kernel, kernel}, new int[] {stride, stride},
                    new int[] {padding, padding}, new int[] {1, 1}, 1, true);
        }

        @Override
        public int[] kernel() {
            return kernel.clone();
        }

        @Override
        public int[] stride() {
            return stride.clone();
        }

        @Override
        public int[] padding() {
            return padding.clone();
        }

        @Override
        public int[] dilation() {
            return dilation.clone();
        }
    }

    private final Config config;
    private final Tensor weight;
    private final Tensor bias;

    /** Square {@code kernel}, stride 1, no padding. */
    public Conv2d(int inChannels, int outChannels, int kernel, Rng rng) {
        this(new Config(inChannels, outChannels, kernel, 1, 0), rng);
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Rng rng) {
        this(new Config(inChannels, outChannels, kernel, stride, padding), rng);
    }

    public Conv2d(Config config, Rng rng) {
        this.config = config;
        int[] k = config.kernel();
        this.weight = registerParameter("weight",
                Tensor.zeros(config.outChannels(), config.inChannels() / config.groups(), k[0], k[1]));
        this.bias = config.bias() ? registerParameter("bias", Tensor.zeros(config.outChannels())) : null;
        Init.kaimingUniform(weight, Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, rng);
        if (bias != null) {
            double bound = 1 / Math.sqrt((double) config.inChannels() / config.groups() * k[0] * k[1]);
            Init.uniform(bias, -bound, bound, rng);
        }
        describe(config.inChannels() + ", " + config.outChannels() + ", kernel_size=" + Shapes.format(k)
                + ", stride=" + Shapes.format(config.stride()) + ", padding=" + Shapes.format(config.padding())
                + ", dilation=" + Shapes.format(config.dilation()) + ", groups=" + config.groups()
                + ", bias=" + config.bias());
    }

    @Override
    public Tensor forward(Tensor x) {
        // (N, in, H, W) -> (N, out, OH, OW)
        int c = config.inChannels();
        Checks.rank("Conv2d", x, "(N, " + c + ", H, W) or (" + c + ", H, W)", 3, 4);
        Checks.size("Conv2d", x, -3, c, "(N, " + c + ", H, W) or (" + c + ", H, W)");
        boolean unbatched = x.dim() == 3;
        Tensor in = unbatched ? x.unsqueeze(0) : x;
        int[] k = config.kernel();
        int[] pad = config.padding();
        int[] dil = config.dilation();
        for (int d = 0; d < 2; d++) {
            int span = dil[d] * (k[d] - 1) + 1;
            if (in.size(2 + d) + 2 * pad[d] < span) {
                throw new IllegalArgumentException("Conv2d: input " + Shapes.format(x.shape()) + " padded by "
                        + Shapes.format(pad) + " is smaller than the dilated kernel " + span + " along "
                        + (d == 0 ? "height" : "width"));
            }
        }
        Tensor y = Conv.conv2d(in, weight, bias, config.stride(), pad, dil, config.groups());
        return unbatched ? y.squeeze(0) : y;
    }

    public Config config() {
        return config;
    }

    /** (out, in/groups, kh, kw) */
    public Tensor weight() {
        return weight;
    }

    /** (out), or null */
    public Tensor bias() {
        return bias;
    }
}
