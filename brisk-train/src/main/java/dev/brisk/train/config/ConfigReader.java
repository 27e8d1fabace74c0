package dev.brisk.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.optim.Adagrad;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Lamb;
import dev.brisk.optim.Lars;
import dev.brisk.optim.Precision;
import dev.brisk.optim.RmsProp;
import dev.brisk.optim.Sgd;
import dev.brisk.optim.UpdateRule;
import dev.brisk.train.config.DataConfig.Augment;
import dev.brisk.train.config.DataConfig.Source;
import dev.brisk.train.config.ModelConfig.Kind;
import dev.brisk.train.config.ScheduleConfig.Curve;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Maps the (alias-resolved, overridden) config tree to {@link TrainConfig}; every key is checked. */
final class ConfigReader {

    /** Sections that may be written as one scalar, standing for this key: {@code model: mlp}, {@code optim: sgd}. */
    static final Map<String, String> SHORTHANDS = Map.of("model", "preset", "optim", "name", "schedule", "name",
            "data", "dataset", "memory", "checkpoint");

    private ConfigReader() {}

    static TrainConfig read(ObjectNode root) {
        Section s = new Section("", root);
        Section modelSection = s.section("model", SHORTHANDS.get("model"));
        DataConfig data = readData(s.section("data", SHORTHANDS.get("data")));
        ModelConfig model = readModel(modelSection, data);
        OptimConfig optim = readOptim(s.section("optim", SHORTHANDS.get("optim")));
        ScheduleConfig schedule = readSchedule(s.section("schedule", SHORTHANDS.get("schedule")));
        String precisionName = s.string("precision", "fp32");
        Precision precision;
        try {
            precision = Precision.parse(precisionName);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("precision", "unknown precision '" + precisionName
                    + "'; expected one of [fp32, bf16, fp16]");
        }
        int epochs = s.integer("epochs", 10);
        Long steps = s.optWhole("steps", null);
        int accumulation = s.integer("accumulation", 1);
        Double clip = s.optNumber("clip_grad_norm", null);
        Section e = s.section("eval", null);
        EvalConfig eval = new EvalConfig(e.optWhole("every_steps", null), e.optInteger("every_epochs", 1),
                e.optInteger("early_stopping", null));
        e.finish();
        Section c = s.section("checkpoint", null);
        CheckpointConfig checkpoint = new CheckpointConfig(c.optWhole("every_steps", null),
                c.optInteger("every_epochs", 1), c.integer("keep", 3));
        c.finish();
        long seed = s.whole("seed", 42);
        Integer threads = s.optInteger("threads", null);
        Section r = s.section("report", null);
        ReportConfig report = new ReportConfig(r.bool("memory", false), r.integer("every_steps", 50));
        r.finish();
        Section m = s.section("memory", SHORTHANDS.get("memory"));
        MemoryConfig memory = new MemoryConfig(m.choice("checkpoint", MemoryConfig.Checkpointing.NONE,
                keyed(MemoryConfig.Checkpointing.values(), MemoryConfig.Checkpointing::key), "checkpointing"));
        m.finish();
        Section ds = s.section("dist", null);
        DistConfig dist = new DistConfig(ds.integer("zero", 0), ds.choice("compression", DistConfig.Compression.NONE,
                keyed(DistConfig.Compression.values(), DistConfig.Compression::key), "compression"),
                ds.number("topk_ratio", 0.01));
        ds.finish();
        Section q = s.section("quant", null);
        QuantConfig quant = new QuantConfig(q.bool("qat", false), q.whole("observer_steps", 200));
        q.finish();
        Section k = s.section("distill", null);
        DistillConfig distill = new DistillConfig(k.optString("teacher", null), k.number("temperature", 4),
                k.number("alpha", 0.9));
        k.finish();
        s.finish();
        return new TrainConfig(model, data, optim, schedule, precision, epochs, steps, accumulation, clip, eval,
                checkpoint, seed, threads, report, memory, dist, quant, distill);
    }

    // ---- data --------------------------------------------------------------------------------------------------

    private static DataConfig readData(Section d) {
        Source dataset = d.choice("dataset", Source.FASHION_MNIST, keyed(Source.values(), Source::key), "dataset");
        Map<String, Augment> augments = keyed(Augment.values(), Augment::key);
        DataConfig config = new DataConfig(dataset,
                d.optString("dir", null),
                d.list("files", List.of(), Section.IndexedValue::text),
                d.list("test_files", List.of(), Section.IndexedValue::text),
                d.optString("label_column", null),
                d.integer("batch_size", 64),
                d.integer("workers", 2),
                d.list("augment", DataConfig.defaultAugment(dataset),
                        v -> Section.lookup(v.key(), v.text(), augments, "augmentation")),
                d.integer("seq_len", TransformerConfig.DEFAULT_SEQ_LEN),
                d.bool("normalize", true),
                d.number("mixup", 0),
                d.bool("drop_last", false),
                d.optInteger("limit", null),
                d.number("holdout", 0.1));
        d.finish();
        return config;
    }

    // ---- model -------------------------------------------------------------------------------------------------

    private static ModelConfig readModel(Section m, DataConfig data) {
        if (m.has("layers")) {
            String preset = m.optString("preset", null);
            if (preset != null && !preset.equals(Kind.CUSTOM.key())) {
                throw new ConfigException(m.key("layers"), "a layer list cannot be combined with preset '" + preset
                        + "'; drop model.preset or model.layers");
            }
            ModelConfig config = ModelConfig.layers(m.list("layers", List.of(), ConfigReader::readLayer));
            m.finish();
            return config;
        }
        Map<String, Kind> presets = new LinkedHashMap<>();
        Kind.presetKeys().forEach(k -> presets.put(k, Arrays.stream(Kind.values())
                .filter(x -> x.key().equals(k)).findFirst().orElseThrow()));
        Kind kind = m.choice("preset", Kind.CNN_BN, presets, "model");
        m.raw("layers"); // known, though absent: a custom model is {layers: [...]}
        if (kind != Kind.TRANSFORMER) {
            m.finish("of the " + kind.key() + " preset (it has no settings; a custom model is {layers: [...]})");
            return ModelConfig.preset(kind);
        }
        TransformerConfig d = TransformerConfig.defaults();
        TransformerConfig t = new TransformerConfig(
                m.integer("blocks", d.blocks()),
                m.integer("d_model", d.dModel()),
                m.integer("heads", d.heads()),
                m.integer("seq_len", data.dataset() == Source.TEXT ? data.seqLen() : d.seqLen()),
                m.integer("vocab", d.vocab()),
                m.integer("mlp_ratio", d.mlpRatio()),
                m.bool("tied", d.tied()),
                m.number("dropout", d.dropout()));
        m.finish();
        return ModelConfig.transformer(t);
    }

    private static final List<String> LAYER_NAMES = List.of("linear", "conv2d", "maxpool", "avgpool", "dropout",
            "flatten", "batchnorm", "layernorm", "relu", "gelu", "silu", "tanh", "sigmoid");

    private static LayerSpec readLayer(Section.IndexedValue item) {
        JsonNode v = item.value();
        String name;
        JsonNode args;
        if (v != null && v.isTextual()) {
            name = v.textValue().trim();
            args = null;
        } else if (v != null && v.isObject() && v.size() == 1) {
            name = v.fieldNames().next();
            args = v.get(name);
        } else {
            throw new ConfigException(item.key(), "expected a layer name (relu) or a one-key mapping ({linear: 10},"
                    + " {conv2d: {out: 32, kernel: 3}}), got " + Section.describe(v));
        }
        if (!LAYER_NAMES.contains(name)) {
            throw new ConfigException(item.key(), "unknown layer '" + name + "'; expected one of " + LAYER_NAMES);
        }
        String main = switch (name) {
            case "linear", "conv2d" -> "out";
            case "maxpool", "avgpool" -> "kernel";
            case "dropout" -> "p";
            default -> null;
        };
        Section a = Section.of(item.key() + "." + name, args, main);
        try {
            LayerSpec spec = switch (name) {
                case "linear" -> new LayerSpec.Linear(required(a, "out"), a.bool("bias", true));
                case "conv2d" -> new LayerSpec.Conv2d(required(a, "out"), a.integer("kernel", 3),
                        a.integer("stride", 1), a.integer("padding", 0), a.bool("bias", true));
                case "maxpool", "avgpool" -> {
                    int kernel = required(a, "kernel");
                    yield new LayerSpec.Pool(name.equals("maxpool"), kernel, a.integer("stride", kernel));
                }
                case "dropout" -> new LayerSpec.Dropout(a.number("p", 0.5));
                default -> new LayerSpec.Plain(LayerSpec.Kind.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
            };
            a.finish("of layer " + name);
            return spec;
        } catch (ConfigException e) {
            throw e.key().startsWith(item.key()) ? e : e.under(item.key());
        }
    }

    private static int required(Section a, String k) {
        if (!a.has(k)) {
            String layer = a.key(k).replaceAll("^.*\\.(\\w+)\\.\\w+$", "$1");
            throw new ConfigException(a.key(k), "is required, e.g. " + switch (layer) {
                case "linear" -> "{linear: 10}";
                case "conv2d" -> "{conv2d: {out: 32, kernel: 3}}";
                default -> "{" + layer + ": 2}";
            });
        }
        return a.integer(k, 0);
    }

    // ---- optimizer ---------------------------------------------------------------------------------------------

    private static OptimConfig readOptim(Section o) {
        String name = o.string("name", "adam").trim().toLowerCase(java.util.Locale.ROOT);
        if (!OptimConfig.NAMES.contains(name)) {
            throw OptimConfig.unknown(name);
        }
        double lr = o.number("lr", OptimConfig.defaultLr(name));
        double weightDecay = o.number("weight_decay", OptimConfig.defaultWeightDecay(name));
        OptimConfig.DecayMask mask = o.choice("decay_mask", OptimConfig.DecayMask.DEFAULT,
                keyed(OptimConfig.DecayMask.values(), OptimConfig.DecayMask::key), "decay mask");
        UpdateRule rule;
        try {
            rule = switch (OptimConfig.defaultRule(name)) {
                case Sgd d -> new Sgd(unit(o, "momentum", d.momentum()), o.number("dampening", d.dampening()),
                        o.bool("nesterov", d.nesterov()));
                case Adam d -> {
                    double[] b = betas(o, d.beta1(), d.beta2());
                    yield new Adam(b[0], b[1], eps(o, d.eps()), d.decoupledWeightDecay());
                }
                case RmsProp d -> new RmsProp(unit(o, "alpha", d.alpha()), eps(o, d.eps()),
                        unit(o, "momentum", d.momentum()), o.bool("centered", d.centered()));
                case Adagrad d -> new Adagrad(o.number("lr_decay", d.lrDecay()),
                        o.number("initial_accumulator", d.initialAccumulatorValue()), eps(o, d.eps()));
                case Lamb d -> {
                    double[] b = betas(o, d.beta1(), d.beta2());
                    yield new Lamb(b[0], b[1], eps(o, d.eps()));
                }
                case Lars d -> new Lars(unit(o, "momentum", d.momentum()),
                        o.number("trust_coefficient", d.trustCoefficient()), o.number("eps", d.eps()),
                        o.bool("nesterov", d.nesterov()));
            };
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("optim", name + ": " + e.getMessage());
        }
        o.finish("of optimizer " + name);
        return new OptimConfig(rule, lr, weightDecay, mask);
    }

    /** A coefficient in [0, 1) (momentum, betas, alpha). */
    private static double unit(Section o, String k, double def) {
        double v = o.number(k, def);
        ConfigException.check(v >= 0 && v < 1, o.key(k), "must be in [0, 1), got " + v);
        return v;
    }

    private static double eps(Section o, double def) {
        double v = o.number("eps", def);
        ConfigException.check(v > 0 && Double.isFinite(v), o.key("eps"), "must be a finite number > 0, got " + v);
        return v;
    }

    private static double[] betas(Section o, double b1, double b2) {
        List<Double> b = o.list("betas", List.of(b1, b2), v -> Section.toDouble(v.key(), v.value()));
        ConfigException.check(b.size() == 2, o.key("betas"), "expected two numbers [beta1, beta2], got " + b);
        for (double x : b) {
            ConfigException.check(x >= 0 && x < 1, o.key("betas"), "each beta must be in [0, 1), got " + b);
        }
        return new double[] {b.get(0), b.get(1)};
    }

    // ---- schedule ----------------------------------------------------------------------------------------------

    private static ScheduleConfig readSchedule(Section s) {
        String name = s.string("name", "cosine").trim().toLowerCase(java.util.Locale.ROOT);
        if (!ScheduleConfig.NAMES.contains(name)) {
            throw new ConfigException(s.key("name"), "unknown schedule '" + name + "'; expected one of "
                    + ScheduleConfig.NAMES);
        }
        long warmup = s.whole("warmup_steps", 0);
        Curve curve = switch (name) {
            case "constant" -> new ScheduleConfig.Constant();
            case "step" -> new ScheduleConfig.StepDecay(requiredWhole(s, "step_size", "step, step_size: 1000"),
                    s.number("gamma", 0.1));
            case "multistep" -> {
                if (!s.has("milestones")) {
                    throw new ConfigException(s.key("milestones"), "is required for multistep, e.g. [1000, 2000]");
                }
                yield new ScheduleConfig.MultiStep(s.list("milestones", List.of(),
                        v -> Section.toLong(v.key(), v.value())), s.number("gamma", 0.1));
            }
            case "exponential" -> {
                if (!s.has("gamma")) {
                    throw new ConfigException(s.key("gamma"), "is required for exponential, e.g. gamma: 0.9999");
                }
                yield new ScheduleConfig.Exponential(s.number("gamma", 1));
            }
            case "linear" -> new ScheduleConfig.Linear(s.number("end_lr", 0));
            case "polynomial" -> new ScheduleConfig.Polynomial(s.number("power", 1), s.number("end_lr", 0));
            case "cosine" -> new ScheduleConfig.Cosine(s.number("min_lr", 0), s.optWhole("restart_period", null),
                    s.whole("restart_mult", 1));
            case "onecycle" -> new ScheduleConfig.OneCycle(s.number("pct_start", 0.3), s.number("div_factor", 25),
                    s.number("final_div_factor", 1e4));
            case "plateau" -> new ScheduleConfig.Plateau(
                    s.choice("metric", ScheduleConfig.Metric.VAL_LOSS,
                            keyed(ScheduleConfig.Metric.values(), ScheduleConfig.Metric::key), "metric"),
                    s.number("factor", 0.1), s.integer("patience", 10), s.number("threshold", 1e-4),
                    s.integer("cooldown", 0), s.number("min_lr", 0));
            default -> throw new IllegalStateException(name);
        };
        s.finish("of the " + name + " schedule");
        return new ScheduleConfig(curve, warmup);
    }

    private static long requiredWhole(Section s, String k, String example) {
        if (!s.has(k)) {
            throw new ConfigException(s.key(k), "is required for this schedule, e.g. {name: " + example + "}");
        }
        return s.whole(k, 0);
    }

    static <E> Map<String, E> keyed(E[] values, Function<E, String> key) {
        Map<String, E> m = new LinkedHashMap<>();
        for (E e : values) {
            m.put(key.apply(e), e);
        }
        return m;
    }
}
