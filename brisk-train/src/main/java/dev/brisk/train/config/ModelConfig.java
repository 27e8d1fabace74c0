package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Which model to train (section {@code model}). YAML: a preset name ({@code model: cnn-bn}), the transformer preset
 * with settings ({@code model: {preset: transformer, blocks: 4}}, see {@link TransformerConfig}), or a custom layer
 * list ({@code model: {layers: [...]}}, see {@link LayerSpec}). Default: {@code cnn-bn}. The presets are defined in
 * {@code dev.brisk.train.model.ModelPresets}.
 *
 * @param kind        the preset, or {@link Kind#CUSTOM} for a layer list
 * @param transformer the transformer's shape; non-null exactly when kind is {@link Kind#TRANSFORMER}
 * @param layers      the layer list; non-empty exactly when kind is {@link Kind#CUSTOM}
 */
public record ModelConfig(Kind kind, TransformerConfig transformer, List<LayerSpec> layers) {

    /** The model families; {@link #key()} is the YAML preset name. */
    public enum Kind {
        /** 784-512-512-10 with ReLU (BENCHMARKS.md {@code mlp}); input flattened, output = classes. */
        MLP("mlp"),
        /** Two 3×3 convs without padding, max pooling, FC 128 (BENCHMARKS.md {@code cnn}). */
        CNN("cnn"),
        /** The default: three 3×3 convs with batch norm, dropout, FC 128 (measured 0.926 on Fashion-MNIST, 8 epochs). */
        CNN_BN("cnn-bn"),
        /** The byte-level language model (BENCHMARKS.md {@code transformer}). */
        TRANSFORMER("transformer"),
        /** A custom layer list. */
        CUSTOM("layers");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        /** The preset names accepted as {@code model} / {@code model.preset}. */
        public static List<String> presetKeys() {
            return Arrays.stream(values()).filter(k -> k != CUSTOM).map(Kind::key).toList();
        }
    }

    public ModelConfig {
        Objects.requireNonNull(kind, "model kind");
        layers = List.copyOf(layers);
        check((transformer != null) == (kind == Kind.TRANSFORMER), "model",
                kind == Kind.TRANSFORMER ? "the transformer preset needs its settings (TransformerConfig)"
                        : "transformer settings only apply to the transformer preset, not " + kind.key());
        check(layers.isEmpty() == (kind != Kind.CUSTOM), "model.layers",
                kind == Kind.CUSTOM ? "a custom model needs at least one layer, e.g. [flatten, {linear: 10}]"
                        : "a layer list cannot be combined with the preset " + kind.key()
                        + "; drop model.preset or model.layers");
    }

    /** A preset without settings: mlp, cnn or cnn-bn. */
    public static ModelConfig preset(Kind kind) {
        check(kind != Kind.TRANSFORMER && kind != Kind.CUSTOM, "model",
                kind.key() + " is not a plain preset; use transformer(...) or layers(...)");
        return new ModelConfig(kind, null, List.of());
    }

    public static ModelConfig transformer(TransformerConfig config) {
        return new ModelConfig(Kind.TRANSFORMER, Objects.requireNonNull(config, "config"), List.of());
    }

    public static ModelConfig layers(List<LayerSpec> layers) {
        return new ModelConfig(Kind.CUSTOM, null, layers);
    }

    /** {@code cnn-bn}. */
    public static ModelConfig defaults() {
        return preset(Kind.CNN_BN);
    }
}
