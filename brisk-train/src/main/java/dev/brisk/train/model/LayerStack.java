package dev.brisk.train.model;

import dev.brisk.nn.AvgPool2d;
import dev.brisk.nn.BatchNorm1d;
import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.Flatten;
import dev.brisk.nn.GELU;
import dev.brisk.nn.LayerNorm;
import dev.brisk.nn.Linear;
import dev.brisk.nn.MaxPool2d;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.SiLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.Sigmoid;
import dev.brisk.nn.Tanh;
import dev.brisk.tensor.Rng;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.LayerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Builds a {@link Sequential} from a layer list, inferring every input size from the sample shape: the shape
 * (without the batch dim) is carried through the list — (C, H, W) through conv and pooling, (F) after flatten —
 * and each layer is created for the shape it receives. A layer that does not fit its input is a
 * {@link ConfigException} naming the layer and the shape, with the fix.
 */
public final class LayerStack {

    private LayerStack() {}

    /**
     * @param layers      the specs, in order
     * @param sampleShape one sample's shape, e.g. (1, 28, 28) or (F)
     * @param rng         initialises the layers in order (dropout layers get their own split stream)
     * @param keyOf       the config key of layer i, for errors ({@code model.layers[i]})
     */
    public static Sequential build(List<LayerSpec> layers, int[] sampleShape, Rng rng, IntFunction<String> keyOf) {
        int[] shape = sampleShape.clone();
        List<Module> modules = new ArrayList<>(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec spec = layers.get(i);
            String key = keyOf.apply(i) + "." + spec.key();
            Built b = build(spec, shape, rng, key);
            modules.add(b.module);
            shape = b.outShape;
        }
        return new Sequential(modules);
    }

    /** The output shape (without batch) of {@code layers} applied to {@code sampleShape}. */
    public static int[] outputShape(List<LayerSpec> layers, int[] sampleShape) {
        int[] shape = sampleShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            shape = build(layers.get(i), shape, new Rng(0), "layer " + i).outShape;
        }
        return shape;
    }

    private record Built(Module module, int[] outShape) {}

    private static Built build(LayerSpec spec, int[] in, Rng rng, String key) {
        return switch (spec) {
            case LayerSpec.Linear l -> {
                rank(in, 1, key, "put flatten before it");
                yield new Built(new Linear(in[0], l.out(), l.bias(), rng), new int[] {l.out()});
            }
            case LayerSpec.Conv2d c -> {
                rank(in, 3, key, "conv2d works on images (C, H, W)");
                int h = window(in[1], c.kernel(), c.stride(), c.padding(), in, key);
                int w = window(in[2], c.kernel(), c.stride(), c.padding(), in, key);
                Module m = new Conv2d(new Conv2d.Config(in[0], c.out(), new int[] {c.kernel(), c.kernel()},
                        new int[] {c.stride(), c.stride()}, new int[] {c.padding(), c.padding()}, new int[] {1, 1},
                        1, c.bias()), rng);
                yield new Built(m, new int[] {c.out(), h, w});
            }
            case LayerSpec.Pool p -> {
                rank(in, 3, key, "pooling works on images (C, H, W)");
                int h = window(in[1], p.kernel(), p.stride(), 0, in, key);
                int w = window(in[2], p.kernel(), p.stride(), 0, in, key);
                Module m = p.max() ? new MaxPool2d(p.kernel(), p.stride(), 0) : new AvgPool2d(p.kernel(), p.stride(), 0);
                yield new Built(m, new int[] {in[0], h, w});
            }
            case LayerSpec.Dropout d -> new Built(new Dropout((float) d.p(), rng.split()), in);
            case LayerSpec.Plain p -> switch (p.kind()) {
                case FLATTEN -> new Built(new Flatten(), new int[] {Arrays.stream(in).reduce(1, Math::multiplyExact)});
                case BATCHNORM -> {
                    if (in.length != 1 && in.length != 3) {
                        throw new ConfigException(key, "batchnorm needs (C, H, W) or (F) input, got " + shape(in));
                    }
                    yield new Built(in.length == 3 ? new BatchNorm2d(in[0]) : new BatchNorm1d(in[0]), in);
                }
                case LAYERNORM -> new Built(new LayerNorm(in[in.length - 1]), in);
                case RELU -> new Built(new ReLU(), in);
                case GELU -> new Built(new GELU(), in);
                case SILU -> new Built(new SiLU(), in);
                case TANH -> new Built(new Tanh(), in);
                case SIGMOID -> new Built(new Sigmoid(), in);
            };
        };
    }

    private static void rank(int[] in, int rank, String key, String hint) {
        if (in.length != rank) {
            throw new ConfigException(key, "input is " + shape(in) + " but this layer needs "
                    + (rank == 1 ? "(features)" : "(C, H, W)") + "; " + hint);
        }
    }

    /** Output size of a sliding window: ⌊(n + 2p − k) / s⌋ + 1, which must be ≥ 1. */
    private static int window(int n, int kernel, int stride, int padding, int[] in, String key) {
        int span = n + 2 * padding - kernel;
        if (span < 0) {
            throw new ConfigException(key, "a " + kernel + "×" + kernel + " window does not fit the input "
                    + shape(in) + (padding > 0 ? " padded by " + padding : "") + "; use a smaller kernel, padding, or"
                    + " fewer pooling layers before it");
        }
        return span / stride + 1;
    }

    static String shape(int[] s) {
        return Arrays.toString(s).replace('[', '(').replace(']', ')');
    }
}
