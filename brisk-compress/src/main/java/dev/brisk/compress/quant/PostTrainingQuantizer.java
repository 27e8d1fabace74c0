package dev.brisk.compress.quant;

import dev.brisk.nn.BatchNorm1d;
import dev.brisk.nn.BatchNorm2d;
import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Dropout;
import dev.brisk.nn.Flatten;
import dev.brisk.nn.Linear;
import dev.brisk.nn.MaxPool2d;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Post-training int8 quantization of a layer stack.
 *
 * <ol>
 *   <li>The stack is grouped: a Conv2d or Linear with the batch norm and ReLU right after it is one int8 layer
 *       (batch norm folded into the weights: {@code w' = w·γ/√(var+ε)}, {@code b' = (b − μ)·γ/√(var+ε) + β} per
 *       output channel; ReLU fused into the requantization); max pooling, ReLU and flatten become int8 layers;
 *       dropout (identity at inference) is dropped. Anything else is an error naming the layer.
 *   <li>Weights: symmetric per output channel, {@code scale[o] = max|w'[o]| / 127}.
 *   <li>Activations: the float model (eval mode) is run over the calibration batches and an {@link Observer} per
 *       quantization point (the input and every int8 layer's output but the last) records the range; each gets
 *       affine parameters. The last layer's output stays real-valued (logits).
 * </ol>
 */
public final class PostTrainingQuantizer {

    private PostTrainingQuantizer() {
    }

    /** One int8 layer's float source: the modules it replaces. */
    private record Group(Module main, Module norm, boolean relu, List<Module> modules) {
        boolean computes() {
            return main instanceof Conv2d || main instanceof Linear;
        }
    }

    /**
     * @param model       a trained layer stack (not changed)
     * @param calibration batches of model inputs
     * @param observers   makes one observer per quantization point (e.g. {@code Observer::minMax})
     */
    public static Int8Model quantize(Sequential model, Iterable<Tensor> calibration, Supplier<Observer> observers) {
        List<Group> groups = group(model);
        Observer input = observers.get();
        List<Observer> outs = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            outs.add(observers.get());
        }
        boolean was = model.isTraining();
        model.eval();
        try (var _ = GradMode.noGrad()) {
            for (Tensor x : calibration) {
                input.observe(x);
                Tensor y = x;
                for (int i = 0; i < groups.size(); i++) {
                    for (Module m : groups.get(i).modules()) {
                        y = m.forward(y);
                    }
                    if (groups.get(i).computes() && i < groups.size() - 1) {
                        outs.get(i).observe(y);
                    }
                }
            }
        } finally {
            model.train(was);
        }
        if (input.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one batch");
        }
        List<Int8Layer> layers = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            QParams out = g.computes() && i < groups.size() - 1 ? outs.get(i).qparams() : null;
            layers.add(switch (g.main()) {
                case Conv2d c -> conv(c, g, out);
                case Linear l -> linear(l, g, out);
                case MaxPool2d p -> new Int8MaxPool(p.kernel(), p.stride());
                case ReLU r -> new Int8Relu();
                case Flatten f -> new Int8Flatten();
                default -> throw new IllegalStateException("unexpected " + g.main());
            });
        }
        return new Int8Model(input.qparams(), layers);
    }

    private static List<Group> group(Sequential model) {
        List<Module> ms = model.layers();
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            Module m = ms.get(i);
            switch (m) {
                case Conv2d c when c.config().groups() == 1 && c.config().dilation()[0] == 1
                        && c.config().dilation()[1] == 1 -> {
                    List<Module> src = new ArrayList<>(List.of(m));
                    Module norm = i + 1 < ms.size() && ms.get(i + 1) instanceof BatchNorm2d b ? b : null;
                    i += addIf(src, norm);
                    boolean relu = i + 1 < ms.size() && ms.get(i + 1) instanceof ReLU;
                    i += addIf(src, relu ? ms.get(i + 1) : null);
                    out.add(new Group(m, norm, relu, src));
                }
                case Linear l -> {
                    List<Module> src = new ArrayList<>(List.of(m));
                    Module norm = i + 1 < ms.size() && ms.get(i + 1) instanceof BatchNorm1d b ? b : null;
                    i += addIf(src, norm);
                    boolean relu = i + 1 < ms.size() && ms.get(i + 1) instanceof ReLU;
                    i += addIf(src, relu ? ms.get(i + 1) : null);
                    out.add(new Group(m, norm, relu, src));
                }
                case MaxPool2d p when p.padding()[0] == 0 && p.padding()[1] == 0 && p.dilation()[0] == 1
                        && p.dilation()[1] == 1 -> out.add(new Group(m, null, false, List.of(m)));
                case ReLU r -> out.add(new Group(m, null, false, List.of(m)));
                case Flatten f -> out.add(new Group(m, null, false, List.of(m)));
                case Dropout d -> {
                    // identity at inference
                }
                default -> throw new IllegalArgumentException("int8 quantization supports conv2d (one group, no "
                        + "dilation), linear, batchnorm after them, relu, maxpool (no padding), flatten and dropout; "
                        + "layer " + i + " is " + m);
            }
        }
        if (out.isEmpty() || !out.getLast().computes()) {
            throw new IllegalArgumentException("int8 quantization needs a stack that ends in a linear or conv2d "
                    + "layer (the logits)");
        }
        return out;
    }

    private static int addIf(List<Module> src, Module m) {
        if (m == null) {
            return 0;
        }
        src.add(m);
        return 1;
    }

    private static Int8Conv2d conv(Conv2d c, Group g, QParams out) {
        Folded f = fold(c.weight(), c.bias(), g.norm());
        Quantized q = quantizeRows(f.weight, c.weight().size(0));
        return new Int8Conv2d(q.values, c.weight().shape(), q.scales, f.bias, c.config().stride(),
                c.config().padding(), g.relu(), out);
    }

    private static Int8Linear linear(Linear l, Group g, QParams out) {
        Folded f = fold(l.weight(), l.bias(), g.norm());
        Quantized q = quantizeRows(f.weight, l.outFeatures());
        return new Int8Linear(q.values, l.outFeatures(), l.inFeatures(), q.scales, f.bias, g.relu(), out);
    }

    record Folded(float[] weight, float[] bias) {
    }

    /** Folds an eval-mode batch norm into the weights and bias of the layer before it. */
    static Folded fold(Tensor weight, Tensor bias, Module norm) {
        float[] w = weight.contiguous().toFloatArray();
        int out = weight.size(0);
        float[] b = bias == null ? new float[out] : bias.contiguous().toFloatArray();
        if (norm == null) {
            return new Folded(w, b);
        }
        Tensor gamma;
        Tensor beta;
        Tensor mean;
        Tensor var;
        float eps;
        if (norm instanceof BatchNorm2d n) {
            gamma = n.weight();
            beta = n.bias();
            mean = n.runningMean();
            var = n.runningVar();
            eps = n.config().eps();
        } else {
            BatchNorm1d n = (BatchNorm1d) norm;
            gamma = n.weight();
            beta = n.bias();
            mean = n.runningMean();
            var = n.runningVar();
            eps = n.config().eps();
        }
        if (mean == null) {
            throw new IllegalArgumentException("cannot fold a batch norm without running statistics into int8");
        }
        float[] g = gamma == null ? null : gamma.contiguous().toFloatArray();
        float[] be = beta == null ? null : beta.contiguous().toFloatArray();
        float[] mu = mean.contiguous().toFloatArray();
        float[] v = var.contiguous().toFloatArray();
        int k = w.length / out;
        for (int o = 0; o < out; o++) {
            float s = (g == null ? 1f : g[o]) / (float) Math.sqrt(v[o] + eps);
            for (int p = 0; p < k; p++) {
                w[o * k + p] *= s;
            }
            b[o] = (b[o] - mu[o]) * s + (be == null ? 0f : be[o]);
        }
        return new Folded(w, b);
    }

    /** Symmetric per-row int8 values and scales of a (rows × k) matrix. */
    record Quantized(byte[] values, float[] scales) {
    }

    static Quantized quantizeRows(float[] w, int rows) {
        int k = w.length / rows;
        byte[] q = new byte[w.length];
        float[] scales = new float[rows];
        for (int o = 0; o < rows; o++) {
            float max = 0;
            for (int p = 0; p < k; p++) {
                max = Math.max(max, Math.abs(w[o * k + p]));
            }
            QParams qp = QParams.symmetric(max);
            scales[o] = qp.scale();
            for (int p = 0; p < k; p++) {
                q[o * k + p] = (byte) Math.clamp(Math.round(w[o * k + p] / qp.scale()), -127, 127);
            }
        }
        return new Quantized(q, scales);
    }
}
