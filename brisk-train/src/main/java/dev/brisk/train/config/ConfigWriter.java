package dev.brisk.train.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.optim.Adagrad;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Lamb;
import dev.brisk.optim.Lars;
import dev.brisk.optim.RmsProp;
import dev.brisk.optim.Sgd;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a {@link TrainConfig} as YAML with every key spelled out (defaults included), in the same schema
 * {@link ConfigReader} reads, so that {@code parse(toYaml(c))} equals {@code c}. Only the keys of the chosen
 * optimizer and schedule are written, since the others do not apply.
 */
final class ConfigWriter {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ConfigWriter() {}

    static String toYaml(TrainConfig c) {
        try {
            return "# brisk train configuration; every key is described in brisk-train/CONFIG.md\n"
                    + ConfigLoader.YAML.writeValueAsString(tree(c));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode tree(TrainConfig c) {
        ObjectNode root = F.objectNode();
        root.set("model", model(c.model()));
        root.set("data", data(c.data()));
        root.set("optim", optim(c.optim()));
        root.set("schedule", schedule(c.schedule()));
        root.put("precision", c.precision().toString());
        root.put("epochs", c.epochs());
        root.put("steps", c.steps());
        root.put("accumulation", c.accumulation());
        root.put("clip_grad_norm", c.clipGradNorm());
        ObjectNode eval = root.putObject("eval");
        eval.put("every_steps", c.eval().everySteps());
        eval.put("every_epochs", c.eval().everyEpochs());
        eval.put("early_stopping", c.eval().earlyStopping());
        ObjectNode ckpt = root.putObject("checkpoint");
        ckpt.put("every_steps", c.checkpoint().everySteps());
        ckpt.put("every_epochs", c.checkpoint().everyEpochs());
        ckpt.put("keep", c.checkpoint().keep());
        root.put("seed", c.seed());
        root.put("threads", c.threads());
        ObjectNode report = root.putObject("report");
        report.put("memory", c.report().memory());
        report.put("every_steps", c.report().everySteps());
        root.putObject("memory").put("checkpoint", c.memory().checkpoint().key());
        ObjectNode dist = root.putObject("dist");
        dist.put("zero", c.dist().zero());
        dist.put("compression", c.dist().compression().key());
        dist.put("topk_ratio", c.dist().topkRatio());
        ObjectNode quant = root.putObject("quant");
        quant.put("qat", c.quant().qat());
        quant.put("observer_steps", c.quant().observerSteps());
        ObjectNode distill = root.putObject("distill");
        distill.put("teacher", c.distill().teacher());
        distill.put("temperature", c.distill().temperature());
        distill.put("alpha", c.distill().alpha());
        return root;
    }

    private static com.fasterxml.jackson.databind.JsonNode model(ModelConfig m) {
        return switch (m.kind()) {
            case MLP, CNN, CNN_BN -> F.textNode(m.kind().key());
            case TRANSFORMER -> {
                TransformerConfig t = m.transformer();
                ObjectNode o = F.objectNode();
                o.put("preset", m.kind().key());
                o.put("blocks", t.blocks());
                o.put("d_model", t.dModel());
                o.put("heads", t.heads());
                o.put("seq_len", t.seqLen());
                o.put("vocab", t.vocab());
                o.put("mlp_ratio", t.mlpRatio());
                o.put("tied", t.tied());
                o.put("dropout", t.dropout());
                yield o;
            }
            case CUSTOM -> {
                ObjectNode o = F.objectNode();
                ArrayNode layers = o.putArray("layers");
                m.layers().forEach(l -> layers.add(layer(l)));
                yield o;
            }
        };
    }

    private static com.fasterxml.jackson.databind.JsonNode layer(LayerSpec spec) {
        ObjectNode o = F.objectNode();
        switch (spec) {
            case LayerSpec.Plain p -> {
                return F.textNode(p.key());
            }
            case LayerSpec.Linear l when l.bias() -> o.put(l.key(), l.out());
            case LayerSpec.Linear l -> o.putObject(l.key()).put("out", l.out()).put("bias", false);
            case LayerSpec.Conv2d c -> o.putObject(c.key()).put("out", c.out()).put("kernel", c.kernel())
                    .put("stride", c.stride()).put("padding", c.padding()).put("bias", c.bias());
            case LayerSpec.Pool p when p.stride() == p.kernel() -> o.put(p.key(), p.kernel());
            case LayerSpec.Pool p -> o.putObject(p.key()).put("kernel", p.kernel()).put("stride", p.stride());
            case LayerSpec.Dropout d -> o.put(d.key(), d.p());
        }
        return o;
    }

    private static ObjectNode data(DataConfig d) {
        ObjectNode o = F.objectNode();
        o.put("dataset", d.dataset().key());
        o.put("dir", d.dir());
        o.set("files", strings(d.files()));
        o.set("test_files", strings(d.testFiles()));
        o.put("label_column", d.labelColumn());
        o.put("batch_size", d.batchSize());
        o.put("workers", d.workers());
        o.set("augment", strings(d.augment().stream().map(DataConfig.Augment::key).toList()));
        o.put("seq_len", d.seqLen());
        o.put("normalize", d.normalize());
        o.put("mixup", d.mixup());
        o.put("drop_last", d.dropLast());
        o.put("limit", d.limit());
        o.put("holdout", d.holdout());
        return o;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    private static ObjectNode optim(OptimConfig c) {
        ObjectNode o = F.objectNode();
        o.put("name", c.name());
        o.put("lr", c.lr());
        o.put("weight_decay", c.weightDecay());
        o.put("decay_mask", c.decayMask().key());
        switch (c.rule()) {
            case Sgd s -> o.put("momentum", s.momentum()).put("dampening", s.dampening()).put("nesterov", s.nesterov());
            case Adam a -> {
                o.putArray("betas").add(a.beta1()).add(a.beta2());
                o.put("eps", a.eps());
            }
            case RmsProp r -> o.put("alpha", r.alpha()).put("eps", r.eps()).put("momentum", r.momentum())
                    .put("centered", r.centered());
            case Adagrad a -> o.put("lr_decay", a.lrDecay()).put("initial_accumulator", a.initialAccumulatorValue())
                    .put("eps", a.eps());
            case Lamb l -> {
                o.putArray("betas").add(l.beta1()).add(l.beta2());
                o.put("eps", l.eps());
            }
            case Lars l -> o.put("momentum", l.momentum()).put("trust_coefficient", l.trustCoefficient())
                    .put("eps", l.eps()).put("nesterov", l.nesterov());
        }
        return o;
    }

    private static ObjectNode schedule(ScheduleConfig s) {
        ObjectNode o = F.objectNode();
        o.put("name", s.curve().key());
        o.put("warmup_steps", s.warmupSteps());
        switch (s.curve()) {
            case ScheduleConfig.Constant c -> { }
            case ScheduleConfig.StepDecay c -> o.put("step_size", c.stepSize()).put("gamma", c.gamma());
            case ScheduleConfig.MultiStep c -> {
                ArrayNode a = o.putArray("milestones");
                c.milestones().forEach(a::add);
                o.put("gamma", c.gamma());
            }
            case ScheduleConfig.Exponential c -> o.put("gamma", c.gamma());
            case ScheduleConfig.Linear c -> o.put("end_lr", c.endLr());
            case ScheduleConfig.Polynomial c -> o.put("power", c.power()).put("end_lr", c.endLr());
            case ScheduleConfig.Cosine c -> o.put("min_lr", c.minLr()).put("restart_period", c.restartPeriod())
                    .put("restart_mult", c.restartMult());
            case ScheduleConfig.OneCycle c -> o.put("pct_start", c.pctStart()).put("div_factor", c.divFactor())
                    .put("final_div_factor", c.finalDivFactor());
            case ScheduleConfig.Plateau c -> o.put("metric", c.metric().key()).put("factor", c.factor())
                    .put("patience", c.patience()).put("threshold", c.threshold()).put("cooldown", c.cooldown())
                    .put("min_lr", c.minLr());
        }
        return o;
    }
}
