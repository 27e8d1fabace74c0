package dev.brisk.compress.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.io.AtomicFiles;
import dev.brisk.train.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link Int8Model} as safetensors: per layer i, {@code layers.i.weight} (I8, the layer's weight shape),
 * {@code layers.i.weight_scale} (F32, per output channel), {@code layers.i.bias} (F32) and, for layers that
 * requantize, {@code layers.i.out_scale} (F32) and {@code layers.i.out_zero_point} (I32); the input's parameters as
 * {@code input_scale} and {@code input_zero_point}. The layer list (type, stride, padding, fused ReLU, pooling
 * window) is JSON in the metadata entry {@code brisk.int8.layers}, next to {@code format: brisk-int8}.
 */
public final class Int8Format {

    public static final String FILE = "model.int8.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Int8Format() {
    }

    /** Writes atomically. */
    public static void write(Path file, Int8Model model) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        ArrayNode specs = JSON.createArrayNode();
        putParams(t, "input", model.input());
        for (int i = 0; i < model.layers().size(); i++) {
            String p = "layers." + i + ".";
            ObjectNode s = specs.addObject();
            switch (model.layers().get(i)) {
                case Int8Conv2d c -> {
                    s.put("type", "conv2d").put("relu", c.relu());
                    s.putArray("stride").add(c.stride()[0]).add(c.stride()[1]);
                    s.putArray("padding").add(c.padding()[0]).add(c.padding()[1]);
                    putCompute(t, p, c.weight(), c.weightShape(), c.weightScale(), c.bias(), c.outParams());
                }
                case Int8Linear l -> {
                    s.put("type", "linear").put("relu", l.relu());
                    putCompute(t, p, l.weight(), new int[] {l.out(), l.in()}, l.weightScale(), l.bias(),
                            l.outParams());
                }
                case Int8MaxPool m -> {
                    s.put("type", "maxpool");
                    s.putArray("kernel").add(m.kernel()[0]).add(m.kernel()[1]);
                    s.putArray("stride").add(m.stride()[0]).add(m.stride()[1]);
                }
                case Int8Relu r -> s.put("type", "relu");
                case Int8Flatten f -> s.put("type", "flatten");
            }
        }
        byte[] bytes = SafeTensors.encode(t, Map.of("format", "brisk-int8", "brisk.int8.layers", specs.toString()));
        AtomicFiles.write(file, bytes);
    }

    public static Int8Model read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String layers = c.metadata().get("brisk.int8.layers");
        if (!"brisk-int8".equals(c.metadata().get("format")) || layers == null) {
            throw new IOException(file + " is not a Brisk int8 model (metadata format: brisk-int8 missing)");
        }
        Map<String, Tensor> t = c.tensors();
        try {
            java.util.List<Int8Layer> out = new java.util.ArrayList<>();
            JsonNode specs = JSON.readTree(layers);
            for (int i = 0; i < specs.size(); i++) {
                JsonNode s = specs.get(i);
                String p = "layers." + i + ".";
                out.add(switch (s.path("type").asText()) {
                    case "conv2d" -> new Int8Conv2d(bytes(t, p + "weight"), need(t, p + "weight").shape(),
                            floats(t, p + "weight_scale"), floats(t, p + "bias"), pair(s, "stride"),
                            pair(s, "padding"), s.path("relu").asBoolean(), params(t, p + "out"));
                    case "linear" -> {
                        int[] shape = need(t, p + "weight").shape();
                        yield new Int8Linear(bytes(t, p + "weight"), shape[0], shape[1], floats(t, p + "weight_scale"),
                                floats(t, p + "bias"), s.path("relu").asBoolean(), params(t, p + "out"));
                    }
                    case "maxpool" -> new Int8MaxPool(pair(s, "kernel"), pair(s, "stride"));
                    case "relu" -> new Int8Relu();
                    case "flatten" -> new Int8Flatten();
                    default -> throw new IOException(file + ": layer " + i + " has unknown type '"
                            + s.path("type").asText() + "'");
                });
            }
            QParams input = params(t, "input");
            if (input == null) {
                throw new IOException(file + ": input.scale / input.zero_point missing");
            }
            return new Int8Model(input, out);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void putCompute(Map<String, Tensor> t, String p, byte[] w, int[] shape, float[] scale,
                                   float[] bias, QParams out) {
        t.put(p + "weight", Tensor.wrap(DType.I8, w, shape));
        t.put(p + "weight_scale", Tensor.of(scale, scale.length));
        if (bias != null) {
            t.put(p + "bias", Tensor.of(bias, bias.length));
        }
        if (out != null) {
            putParams(t, p + "out", out);
        }
    }

    private static void putParams(Map<String, Tensor> t, String p, QParams q) {
        t.put(p + "_scale", Tensor.of(new float[] {q.scale()}, 1));
        t.put(p + "_zero_point", Tensor.ofInts(new int[] {q.zeroPoint()}, 1));
    }

    private static QParams params(Map<String, Tensor> t, String p) {
        Tensor s = t.get(p + "_scale");
        Tensor z = t.get(p + "_zero_point");
        return s == null || z == null ? null : new QParams(s.getFloat(0), (int) z.getLong(0));
    }

    private static Tensor need(Map<String, Tensor> t, String name) throws IOException {
        Tensor x = t.get(name);
        if (x == null) {
            throw new IOException("int8 model: tensor " + name + " missing");
        }
        return x;
    }

    private static byte[] bytes(Map<String, Tensor> t, String name) throws IOException {
        Tensor x = need(t, name);
        if (x.dtype() != DType.I8) {
            throw new IOException("int8 model: " + name + " must be I8, got " + x.dtype());
        }
        return x.contiguous().storage().bytes().clone();
    }

    private static float[] floats(Map<String, Tensor> t, String name) {
        Tensor x = t.get(name);
        return x == null ? null : x.contiguous().toFloatArray();
    }

    private static int[] pair(JsonNode s, String key) {
        return new int[] {s.path(key).path(0).asInt(1), s.path(key).path(1).asInt(1)};
    }
}
