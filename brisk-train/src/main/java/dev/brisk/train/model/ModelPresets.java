package dev.brisk.train.model;

import dev.brisk.nn.Module;
import dev.brisk.tensor.Rng;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.LayerSpec;
import dev.brisk.train.config.LayerSpec.Kind;
import dev.brisk.train.config.ModelConfig;
import java.util.List;

/**
 * Builds the model a {@link ModelConfig} names, for samples of a given shape and number of classes.
 *
 * <ul>
 *   <li>{@code mlp} (BENCHMARKS.md): flatten → 512 → ReLU → 512 → ReLU → classes. On 28×28 input, 669,706
 *       parameters and 1.34 MFLOP forward per sample (2·(784·512 + 512·512 + 512·10) = 1,337,344).
 *   <li>{@code cnn} (BENCHMARKS.md): conv 32 3×3 (no padding) → ReLU → maxpool 2 → conv 64 3×3 → ReLU → maxpool 2 →
 *       flatten (1600 on 28×28) → 128 → ReLU → classes. 225,034 parameters, 5.26 MFLOP forward per sample.
 *   <li>{@code cnn-bn} (the default): three 3×3 "same" convs without bias, each followed by batch norm and ReLU,
 *       with max pooling after the first two — conv 32 @28×28 → pool → conv 64 @14×14 → pool → conv 64 @7×7 →
 *       flatten 3136 → dropout 0.25 → 128 → ReLU → classes. 458,730 parameters; 12.1 MFLOP forward per sample
 *       (0.45 + 7.2 + 3.6 + 0.8 for the convs and FC), so 36 MFLOP per trained sample and 2.2 TFLOP per
 *       Fashion-MNIST epoch. Measured: 0.926 test accuracy on Fashion-MNIST after 8 epochs of Adam with crop and
 *       flip (the dataset authors' table puts 2 conv + pooling + BN at ≈ 0.934).
 *   <li>{@code transformer}: {@link ByteLm}.
 *   <li>a layer list: {@link LayerStack}.
 * </ul>
 */
public final class ModelPresets {

    private ModelPresets() {}

    /**
     * The model for {@code config}.
     *
     * @param sampleShape one input sample's shape without the batch dim: (C, H, W) for images, (F) for features,
     *                    (T) for tokens
     * @param classes     the number of classes (the size of the last layer of mlp, cnn and cnn-bn; unused by the
     *                    transformer and custom layer lists)
     * @param rng         initialises the parameters (same seed, same model)
     * @throws ConfigException when the model does not fit the data (a conv kernel larger than the image, linear
     *                         on an image without flatten, ...)
     */
    public static Module build(ModelConfig config, int[] sampleShape, int classes, Rng rng) {
        return switch (config.kind()) {
            case TRANSFORMER -> new ByteLm(config.transformer(), rng);
            case CUSTOM -> LayerStack.build(config.layers(), sampleShape, rng, i -> "model.layers[" + i + "]");
            case MLP, CNN, CNN_BN -> {
                if (classes < 1) {
                    throw new ConfigException("model", "the " + config.kind().key() + " preset needs the number of "
                            + "classes, got " + classes);
                }
                if (config.kind() != ModelConfig.Kind.MLP && sampleShape.length != 3) {
                    throw new ConfigException("model", "the " + config.kind().key() + " preset needs images "
                            + "(C, H, W), but the data's samples are " + LayerStack.shape(sampleShape)
                            + "; use model: mlp or a layer list");
                }
                yield LayerStack.build(layers(config.kind(), classes), sampleShape, rng,
                        i -> "model (preset " + config.kind().key() + ", layer " + i + ")");
            }
        };
    }

    /** The layer list of the mlp, cnn and cnn-bn presets. */
    public static List<LayerSpec> layers(ModelConfig.Kind kind, int classes) {
        return switch (kind) {
            case MLP -> List.of(plain(Kind.FLATTEN), linear(512), plain(Kind.RELU), linear(512), plain(Kind.RELU),
                    linear(classes));
            case CNN -> List.of(
                    new LayerSpec.Conv2d(32, 3, 1, 0, true), plain(Kind.RELU), maxPool(2),
                    new LayerSpec.Conv2d(64, 3, 1, 0, true), plain(Kind.RELU), maxPool(2),
                    plain(Kind.FLATTEN), linear(128), plain(Kind.RELU), linear(classes));
            case CNN_BN -> List.of(
                    new LayerSpec.Conv2d(32, 3, 1, 1, false), plain(Kind.BATCHNORM), plain(Kind.RELU), maxPool(2),
                    new LayerSpec.Conv2d(64, 3, 1, 1, false), plain(Kind.BATCHNORM), plain(Kind.RELU), maxPool(2),
                    new LayerSpec.Conv2d(64, 3, 1, 1, false), plain(Kind.BATCHNORM), plain(Kind.RELU),
                    plain(Kind.FLATTEN), new LayerSpec.Dropout(0.25), linear(128), plain(Kind.RELU),
                    linear(classes));
            case TRANSFORMER, CUSTOM -> throw new IllegalArgumentException(kind.key() + " is not a layer-list preset");
        };
    }

    private static LayerSpec plain(Kind kind) {
        return new LayerSpec.Plain(kind);
    }

    private static LayerSpec linear(int out) {
        return new LayerSpec.Linear(out, true);
    }

    private static LayerSpec maxPool(int k) {
        return new LayerSpec.Pool(true, k, k);
    }
}
