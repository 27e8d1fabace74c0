package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import dev.brisk.optim.Precision;
import java.util.Objects;

/**
 * Everything {@code ./brisk train} needs to know, as read from a YAML file plus {@code --set key=value} overrides by
 * {@link ConfigLoader} and written back, complete, by {@link #toYaml()} into the run directory. The keys are
 * documented on each component and in {@code brisk-train/CONFIG.md}; {@link #defaults()} is the run
 * {@code ./brisk train} does without a config: the cnn-bn model on Fashion-MNIST for 10 epochs with Adam and a
 * cosine schedule.
 *
 * @param model         {@code model}: see {@link ModelConfig}; default cnn-bn
 * @param data          {@code data}: see {@link DataConfig}; default Fashion-MNIST
 * @param optim         {@code optim}: see {@link OptimConfig}; default adam, lr 0.001
 * @param schedule      {@code schedule}: see {@link ScheduleConfig}; default cosine
 * @param precision     {@code precision}: fp32 (default), bf16 or fp16 (with dynamic loss scaling)
 * @param epochs        {@code epochs}: passes over the training data, ≥ 1; default 10 (ignored when steps is set)
 * @param steps         {@code steps}: total optimizer steps, ≥ 1; overrides epochs; default null
 * @param accumulation  {@code accumulation}: micro-batches of {@code data.batch_size} per optimizer step, 1..65536;
 *                      default 1
 * @param clipGradNorm  {@code clip_grad_norm}: clip the global gradient norm to this, > 0; default null (no clipping)
 * @param eval          {@code eval}: see {@link EvalConfig}; default every epoch
 * @param checkpoint    {@code checkpoint}: see {@link CheckpointConfig}; default every epoch, keep 3
 * @param seed          {@code seed}: seeds initialisation, shuffling, augmentation and dropout; default 42
 * @param threads       {@code threads}: compute threads, 1..1024; default null (one per core)
 * @param report        {@code report}: see {@link ReportConfig}
 * @param memory        {@code memory}: see {@link MemoryConfig}
 * @param dist          {@code dist}: see {@link DistConfig}; default plain data parallelism
 * @param quant         {@code quant}: see {@link QuantConfig}; default off
 * @param distill       {@code distill}: see {@link DistillConfig}; default off
 */
public record TrainConfig(ModelConfig model, DataConfig data, OptimConfig optim, ScheduleConfig schedule,
                          Precision precision, int epochs, Long steps, int accumulation, Double clipGradNorm,
                          EvalConfig eval, CheckpointConfig checkpoint, long seed, Integer threads,
                          ReportConfig report, MemoryConfig memory, DistConfig dist, QuantConfig quant,
                          DistillConfig distill) {

    public TrainConfig {
        Objects.requireNonNull(quant, "quant");
        Objects.requireNonNull(distill, "distill");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(optim, "optim");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(eval, "eval");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(dist, "dist");
        check(epochs >= 1, "epochs", "must be ≥ 1, got " + epochs);
        check(steps == null || steps >= 1, "steps", "must be ≥ 1 (or null to train for epochs), got " + steps);
        check(accumulation >= 1 && accumulation <= 65536, "accumulation", "must be in 1..65536, got " + accumulation);
        check(clipGradNorm == null || (clipGradNorm > 0 && Double.isFinite(clipGradNorm)), "clip_grad_norm",
                "must be a finite number > 0 (or null for no clipping), got " + clipGradNorm);
        check(threads == null || (threads >= 1 && threads <= 1024), "threads",
                "must be in 1..1024 (or null for one per core), got " + threads);

        boolean lm = model.kind() == ModelConfig.Kind.TRANSFORMER;
        boolean text = data.dataset() == DataConfig.Source.TEXT;
        check(!lm || text, "data.dataset", "the transformer preset is a byte-level language model; it trains on "
                + "data.dataset: text (with data.files), not " + data.dataset().key());
        check(lm || !text, "model", "text data trains a language model; use model: transformer, not "
                + model.kind().key());
        if (lm) {
            check(data.seqLen() <= model.transformer().seqLen(), "data.seq_len", data.seqLen() + " tokens is longer "
                    + "than model.seq_len " + model.transformer().seqLen() + " (the learned position table); raise "
                    + "model.seq_len or lower data.seq_len");
        }
        check(memory.checkpoint() == MemoryConfig.Checkpointing.NONE || lm, "memory.checkpoint",
                "blocks checkpoints transformer blocks; model " + model.kind().key() + " has none (use none)");
        check(dist.zero() == 0 || precision != Precision.FP16, "dist.zero", "ZeRO with fp16 is not supported: the "
                + "loss scaler would decide to skip a step on each rank's gradient shard alone; use bf16 or fp32");
        check(dist.compression() != DistConfig.Compression.TOPK || precision != Precision.FP16, "dist.compression",
                "top-k compression with fp16 is not supported: its residual keeps loss-scaled gradients, which a "
                + "change of the loss scale would corrupt; use bf16 or fp32, or dist.compression none, bf16 or fp16");
        check(steps == null || schedule.warmupSteps() < steps, "schedule.warmup_steps", "warm-up of "
                + schedule.warmupSteps() + " steps leaves nothing of a run of " + steps + " steps; make it shorter");
        check(!(schedule.curve() instanceof ScheduleConfig.Plateau)
                || eval.everyEpochs() != null || eval.everySteps() != null, "schedule.name",
                "plateau lowers the lr after evaluations, but eval is off; set eval.every_epochs or eval.every_steps");
    }

    /** A configuration with the default {@code dist} section, without quantization-aware training or distillation. */
    public TrainConfig(ModelConfig model, DataConfig data, OptimConfig optim, ScheduleConfig schedule,
                       Precision precision, int epochs, Long steps, int accumulation, Double clipGradNorm,
                       EvalConfig eval, CheckpointConfig checkpoint, long seed, Integer threads,
                       ReportConfig report, MemoryConfig memory) {
        this(model, data, optim, schedule, precision, epochs, steps, accumulation, clipGradNorm, eval, checkpoint,
                seed, threads, report, memory, DistConfig.defaults(), QuantConfig.defaults(), DistillConfig.defaults());
    }

    /** The run {@code ./brisk train} does without a config file. */
    public static TrainConfig defaults() {
        return new TrainConfig(ModelConfig.defaults(), DataConfig.defaults(), OptimConfig.defaults(),
                ScheduleConfig.defaults(), Precision.FP32, 10, null, 1, null, EvalConfig.defaults(),
                CheckpointConfig.defaults(), 42, null, ReportConfig.defaults(), MemoryConfig.defaults());
    }

    /** Optimizer steps for a run whose epochs have {@code batchesPerEpoch} loader batches each. */
    public long totalSteps(long batchesPerEpoch) {
        return steps != null ? steps : Math.max(1, epochs * (batchesPerEpoch / accumulation));
    }

    /** Samples per optimizer step: batch size × accumulation (per process). */
    public int samplesPerStep() {
        return data.batchSize() * accumulation;
    }

    /** This configuration as YAML, complete with every default; {@link ConfigLoader#parse} reads it back equal. */
    public String toYaml() {
        return ConfigWriter.toYaml(this);
    }
}
