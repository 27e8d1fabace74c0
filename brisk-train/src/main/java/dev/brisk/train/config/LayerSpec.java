package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import java.util.Locale;
import java.util.Objects;

/**
 * One entry of a custom model's layer list ({@code model: {layers: [...]}}). Input sizes ({@code in_features},
 * {@code in_channels}, BatchNorm's channels) are not written: the builder infers them from the data's sample shape.
 * YAML forms: a bare name for layers without settings ({@code relu}, {@code flatten}, {@code batchnorm}), a name
 * with its main setting ({@code {linear: 10}}, {@code {maxpool: 2}}, {@code {dropout: 0.25}}, {@code {conv2d: 32}}),
 * or a name with a mapping of settings ({@code {conv2d: {out: 32, kernel: 3, padding: 1}}}).
 * Error keys are relative ({@code conv2d.kernel}); the loader puts them under {@code model.layers[i]}.
 */
public sealed interface LayerSpec {

    /** The YAML name of this layer kind. */
    String key();

    /** {@code linear: {out, bias: true}}: (*, in) → (*, out). */
    record Linear(int out, boolean bias) implements LayerSpec {
        public Linear {
            check(out >= 1, "linear.out", "must be ≥ 1, got " + out);
        }

        @Override
        public String key() {
            return "linear";
        }
    }

    /** {@code conv2d: {out, kernel: 3, stride: 1, padding: 0, bias: true}}: (C, H, W) → (out, H', W'). */
    record Conv2d(int out, int kernel, int stride, int padding, boolean bias) implements LayerSpec {
        public Conv2d {
            check(out >= 1, "conv2d.out", "must be ≥ 1, got " + out);
            check(kernel >= 1, "conv2d.kernel", "must be ≥ 1, got " + kernel);
            check(stride >= 1, "conv2d.stride", "must be ≥ 1, got " + stride);
            check(padding >= 0, "conv2d.padding", "must be ≥ 0, got " + padding);
        }

        @Override
        public String key() {
            return "conv2d";
        }
    }

    /** {@code maxpool: {kernel, stride: kernel}} or {@code avgpool: ...}: (C, H, W) → (C, H', W'). */
    record Pool(boolean max, int kernel, int stride) implements LayerSpec {
        public Pool {
            check(kernel >= 1, (max ? "maxpool" : "avgpool") + ".kernel", "must be ≥ 1, got " + kernel);
            check(stride >= 1, (max ? "maxpool" : "avgpool") + ".stride", "must be ≥ 1, got " + stride);
        }

        @Override
        public String key() {
            return max ? "maxpool" : "avgpool";
        }
    }

    /** {@code dropout: p}, p in [0, 1). */
    record Dropout(double p) implements LayerSpec {
        public Dropout {
            check(p >= 0 && p < 1, "dropout.p", "must be in [0, 1), got " + p);
        }

        @Override
        public String key() {
            return "dropout";
        }
    }

    /**
     * A layer without settings: {@code flatten} (all but the batch dim into one), {@code batchnorm} (BatchNorm2d on
     * (C, H, W), BatchNorm1d on (F)), {@code layernorm} (over the last dim), or an activation.
     */
    record Plain(Kind kind) implements LayerSpec {
        public Plain {
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public String key() {
            return kind.key();
        }
    }

    /** The layers that take no settings. */
    enum Kind {
        FLATTEN, BATCHNORM, LAYERNORM, RELU, GELU, SILU, TANH, SIGMOID;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
