package dev.brisk.compress;

import dev.brisk.nn.Module;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.LayerSpec;
import dev.brisk.train.config.ModelConfig;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.model.ModelPresets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A trained run directory read back: its {@code config.yaml}, its newest checkpoint and that checkpoint's model
 * weights. The model is rebuilt from the config (a pruned run stores its smaller layer list there), so any run
 * that {@code brisk eval} can read can be compressed or used as a teacher.
 *
 * @param dir        the run directory
 * @param config     the configuration it was trained with
 * @param checkpoint the newest complete checkpoint directory
 * @param weights    the model state dict of that checkpoint
 */
public record SavedRun(Path dir, TrainConfig config, Path checkpoint, Map<String, Tensor> weights) {

    /** The config file of a run directory. */
    public static final String CONFIG_FILE = "config.yaml";

    /**
     * Reads {@code dir}.
     *
     * @throws IllegalArgumentException naming the directory and what is missing, or the bad config key
     */
    public static SavedRun read(Path dir) throws IOException {
        return read(dir, List.of());
    }

    /** Reads {@code dir}, with {@code --set} style {@code overrides} applied to its config. */
    public static SavedRun read(Path dir, List<String> overrides) throws IOException {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " is not a Brisk run directory (no " + CONFIG_FILE + ")");
        }
        TrainConfig config;
        try {
            config = ConfigLoader.load(file, overrides);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Path checkpoint = Checkpoints.latest(dir).orElseThrow(() ->
                new IllegalArgumentException(dir + " has no complete checkpoint (train it first)"));
        return new SavedRun(dir, config, checkpoint, Checkpoints.load(checkpoint).model());
    }

    /** The trained model for samples of {@code sampleShape} and {@code classes} classes, weights loaded. */
    public Module model(int[] sampleShape, int classes) {
        Module m = ModelPresets.build(config.model(), sampleShape, classes, new Rng(config.seed()));
        try {
            m.loadStateDict(weights, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(checkpoint + " does not fit the model in " + dir.resolve(CONFIG_FILE)
                    + ": " + e.getMessage(), e);
        }
        return m;
    }

    /** The size of the checkpoint's {@code model.safetensors} in bytes. */
    public long modelFileBytes() throws IOException {
        return Files.size(checkpoint.resolve("model.safetensors"));
    }

    /** The layer list of a layer-stack model (mlp, cnn, cnn-bn or a custom list); errors for the transformer. */
    public static List<LayerSpec> layerList(ModelConfig model, int classes) {
        return switch (model.kind()) {
            case CUSTOM -> model.layers();
            case MLP, CNN, CNN_BN -> ModelPresets.layers(model.kind(), classes);
            case TRANSFORMER -> throw new IllegalArgumentException("structured pruning and int8 quantization work on "
                    + "layer stacks (mlp, cnn, cnn-bn, layer lists), not on the transformer preset");
        };
    }

    /** {@code model} as a layer stack, or a clear error. */
    public static Sequential asStack(Module model) {
        if (model instanceof Sequential s) {
            return s;
        }
        throw new IllegalArgumentException("expected a layer stack (Sequential), got " + model.getClass()
                .getSimpleName());
    }
}
