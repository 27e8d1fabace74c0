package dev.brisk.train;

import dev.brisk.data.DataLoader;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.ddp.DistributedDataParallel;
import dev.brisk.dist.ddp.GradientSync;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.Optimizer;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.ModelConfig;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.model.ModelFlops;
import dev.brisk.train.model.ModelPresets;
import dev.brisk.train.setup.DataSource;
import dev.brisk.train.setup.Datasets;
import dev.brisk.train.setup.LrSchedule;
import dev.brisk.train.setup.Optimizers;
import dev.brisk.train.setup.Schedules;

/**
 * Everything a configuration describes, built once: data sources and loaders, the model (from its seed), the loss,
 * the optimizer and the learning-rate schedule, and the cadences of the {@link TrainPlan}. The CLI's {@code train},
 * {@code eval} and {@code bench} commands all start here, so they run the same model the same way.
 *
 * <p>Given a {@link ProcessGroup} of more than one rank (data-parallel training), the train loader reads this
 * rank's shard of each epoch ({@link Sampler#distributed}: disjoint, the same number of batches on every rank, so
 * the global batch is {@code world × batch_size}), and the model is wrapped in a {@link DistributedDataParallel}
 * ({@link #gradientSync()}), which starts every replica from rank 0's weights; with {@code dist.zero} 1 or 2 the
 * {@link #optimizer()} is this rank's shard of it ({@link DistributedDataParallel#shardOptimizer}). The test loader is not sharded:
 * every rank evaluates the whole test split (see {@link Trainer}).
 */
public final class TrainingRun implements AutoCloseable {

    private final TrainConfig config;
    private final DataSource<?, ?> trainData;
    private final DataSource<?, ?> testData;
    private final DataLoader trainLoader;
    private final DataLoader testLoader;
    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final TrainPlan plan;
    private final long trainFlopsPerSample;
    private final DistributedDataParallel ddp;

    /** Builds the run; {@code withTest} false skips the test split (benchmarks). */
    public TrainingRun(TrainConfig config, boolean withTest) {
        this(config, withTest, null);
    }

    /**
     * Builds the run for one rank of {@code group} (collective when the group has more than one rank: every rank
     * builds its run at the same point); a null or single-rank group is single-process training.
     */
    public TrainingRun(TrainConfig config, boolean withTest, ProcessGroup group) {
        this(config, Datasets.create(config.data(), Datasets.Split.TRAIN, config.seed()),
                withTest ? Datasets.create(config.data(), Datasets.Split.TEST, config.seed()) : null, group, true);
    }

    /**
     * Builds the run over data the caller opened instead of {@code config.data}'s (rows handed over by a cluster
     * framework, say); {@code config.data} still gives batch size, workers and drop_last. With {@code shardTrain}
     * each rank of a group reads its {@link Sampler#distributed} shard of {@code trainData}, as above; without, the
     * caller has already given each rank its own shard, which must yield the same number of batches on every rank.
     */
    public TrainingRun(TrainConfig config, DataSource<?, ?> trainData, DataSource<?, ?> testData, ProcessGroup group,
                       boolean shardTrain) {
        this.config = config;
        boolean distributed = group != null && group.size() > 1;
        this.trainData = trainData;
        this.testData = testData;
        var trainLoaderConfig = trainData.loaderConfig(config.data(), config.seed());
        if (distributed && shardTrain) {
            trainLoaderConfig = trainLoaderConfig.withSampler(Sampler.distributed(group.rank(), group.size(), true));
        }
        this.trainLoader = trainData.loader(trainLoaderConfig);
        this.testLoader = testData == null ? null : testData.loader(testData.loaderConfig(config.data(), config.seed()));
        this.model = ModelPresets.build(config.model(), trainData.sampleShape(), trainData.classes(),
                new Rng(config.seed()));
        if (config.memory().checkpoint() == dev.brisk.train.config.MemoryConfig.Checkpointing.BLOCKS) {
            dev.brisk.nn.Checkpointing.apply(model, dev.brisk.nn.CheckpointPolicy.parse("blocks"));
        }
        this.ddp = distributed ? new DistributedDataParallel(model, group, ddpOptions(config.dist())) : null;
        this.loss = lossFor(config.model());
        Optimizer full = Optimizers.create(config.optim(), model);
        // under ZeRO each rank's optimizer covers only its shard of the parameters
        this.optimizer = ddp != null ? ddp.shardOptimizer(full) : full;
        long total = config.totalSteps(trainLoader.batchesPerEpoch());
        this.schedule = Schedules.create(config.schedule(), total, config.optim().lr());
        var e = config.eval();
        var c = config.checkpoint();
        this.plan = new TrainPlan(total, config.accumulation(), config.clipGradNorm(),
                e.everySteps() == null ? null : Math.toIntExact(e.everySteps()), e.everyEpochs() != null,
                c.everySteps() == null ? null : Math.toIntExact(c.everySteps()), c.everyEpochs() != null, c.keep(),
                config.report().everySteps(), e.earlyStopping());
        this.trainFlopsPerSample = ModelFlops.trainingFlopsPerSample(model, trainData.sampleShape());
    }

    static DistributedDataParallel.Options ddpOptions(dev.brisk.train.config.DistConfig d) {
        var c = switch (d.compression()) {
            case NONE -> dev.brisk.dist.ddp.Compression.none();
            case BF16 -> dev.brisk.dist.ddp.Compression.bf16();
            case FP16 -> dev.brisk.dist.ddp.Compression.fp16();
            case TOPK -> dev.brisk.dist.ddp.Compression.topK(d.topkRatio());
        };
        return DistributedDataParallel.Options.defaults().withZeroStage(d.zero()).withCompression(c);
    }

    /** Cross-entropy; a language model's (B, T, V) logits are flattened to (B·T, V) against (B·T) next tokens. */
    static Loss lossFor(ModelConfig model) {
        CrossEntropyLoss ce = new CrossEntropyLoss();
        if (model.kind() != ModelConfig.Kind.TRANSFORMER) {
            return ce;
        }
        return (Tensor logits, Tensor targets) -> ce.apply(logits.reshape(-1, logits.size(-1)), targets.reshape(-1));
    }

    public TrainConfig config() {
        return config;
    }

    public DataSource<?, ?> trainData() {
        return trainData;
    }

    public DataSource<?, ?> testData() {
        return testData;
    }

    public DataLoader trainLoader() {
        return trainLoader;
    }

    public DataLoader testLoader() {
        return testLoader;
    }

    public Module model() {
        return model;
    }

    /** Per-rank model-state memory under ZeRO (measured and by formula), or null without it. */
    public dev.brisk.dist.ddp.ZeroMemory zeroMemory() {
        return ddp == null ? null : ddp.zeroMemory();
    }

    /**
     * What the training step calls to keep the replicas identical: the {@link DistributedDataParallel} wrapper when
     * distributed, {@link GradientSync#none()} otherwise.
     */
    public GradientSync gradientSync() {
        return ddp != null ? ddp : GradientSync.none();
    }

    public Loss loss() {
        return loss;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    public TrainPlan plan() {
        return plan;
    }

    /** Forward + backward FLOPs of one sample (3 × forward), for MFU. */
    public long trainFlopsPerSample() {
        return trainFlopsPerSample;
    }

    @Override
    public void close() {
        if (ddp != null) {
            ddp.close();
        }
        trainLoader.close();
        if (testLoader != null) {
            testLoader.close();
        }
    }
}
