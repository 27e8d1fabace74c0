package dev.brisk.spark;

import dev.brisk.dist.DistributedException;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.TcpGroup;
import dev.brisk.nn.Module;
import dev.brisk.tensor.MachinePeak;
import dev.brisk.tensor.Parallel;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.Evaluation;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.io.SafeTensors;
import dev.brisk.train.setup.Datasets;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of each barrier task: one Brisk rank. It joins the group ({@link BarrierRendezvous}), builds the run as
 * {@code brisk train} does under {@code brisk launch} — the same {@link TrainingRun}, {@link Trainer} and
 * DistributedDataParallel, with rank 0 alone writing the run directory — trains, and returns a {@link RankResult}.
 *
 * <p>Data comes either from the configuration's files (every rank opens them and reads its
 * {@code DistributedSampler} shard), or, when {@link RowSpec} is given, from the rows of this task's partition.
 *
 * <p>When the rank fails it aborts the group with its error first ({@link TcpGroup#abort}), so every peer's error
 * names it too, then throws a {@link RankFailedException}: the task fails, so the stage does, and whichever task's
 * failure Spark reports first, the driver sees the failed rank and the cause.
 *
 * @param <T> the partition's element type: ignored for file data, {@link Row} for rows
 */
final class RankTask<T> extends AbstractFunction1<Iterator<T>, Iterator<RankResult>> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Rows as training data: feature count, classes, and the optional evaluation rows. */
    record RowSpec(int features, int classes, float[][] testFeatures, int[] testLabels) implements Serializable {
    }

    private final String configYaml;
    private final String secret;
    private final long timeoutMs;
    private final String bindAddress;
    private final String runDir;
    private final boolean resume;
    private final boolean console;
    private final RowSpec rows;
    private final SparkTrainer.CallbackFactory callbacks;

    RankTask(String configYaml, String secret, Duration timeout, String bindAddress, Path runDir, boolean resume,
             boolean console, RowSpec rows, SparkTrainer.CallbackFactory callbacks) {
        this.configYaml = configYaml;
        this.secret = secret;
        this.timeoutMs = timeout.toMillis();
        this.bindAddress = bindAddress;
        this.runDir = runDir == null ? null : runDir.toString();
        this.resume = resume;
        this.console = console;
        this.rows = rows;
        this.callbacks = callbacks;
    }

    @Override
    public Iterator<RankResult> apply(Iterator<T> partition) {
        long t0 = System.nanoTime();
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int world = ctx.getTaskInfos().length;
        int attempt = ctx.stageAttemptNumber();
        Path dir = runDir == null ? null : Path.of(runDir);
        // a retried stage always continues from the failed attempt's last checkpoint, if it wrote one
        BarrierRendezvous.Joined joined;
        try {
            joined = BarrierRendezvous.join(ctx, secret, Duration.ofMillis(timeoutMs), bindAddress, dir,
                    resume || attempt > 0);
        } catch (RuntimeException e) {
            throw new RankFailedException(rank, world, attempt, e);
        }
        ProcessGroup group = joined.group();
        try {
            RankResult r = train(ctx, rank, world, attempt, dir, group, joined.resumeFrom(), partition, t0);
            return CollectionConverters.asScala(List.of(r).iterator());
        } catch (Throwable e) {
            if (group instanceof TcpGroup tcp && !(e instanceof DistributedException)) {
                tcp.abort(e.toString());
            }
            if (e instanceof TaskKilledException killed) {
                throw killed; // Spark stopped this task (a sibling failed, or the job was cancelled): not a failure
            }
            throw new RankFailedException(rank, world, attempt, e);
        } finally {
            if (group != null) {
                group.close();
            }
        }
    }

    private RankResult train(BarrierTaskContext ctx, int rank, int world, int attempt, Path dir, ProcessGroup group,
                             Path resumeFrom, Iterator<T> partition, long t0) throws IOException {
        boolean lead = rank == 0;
        TrainConfig config = ConfigLoader.parse(configYaml, "the configuration sent by the Spark driver", List.of());
        // the cores Spark gave this task (spark.task.cpus), as brisk launch gives each process its share; the pool
        // is per JVM, so ranks sharing an executor share it
        Parallel.setThreads(config.threads() != null ? config.threads() : Math.max(1, ctx.cpus()));
        int trainSamples;
        TrainingRun run;
        if (rows == null) {
            run = new TrainingRun(config, true, group);
            trainSamples = run.trainData().size();
        } else {
            @SuppressWarnings("unchecked")
            java.util.Iterator<Row> mine = (java.util.Iterator<Row>) CollectionConverters.asJava(partition);
            String where = "rank " + rank + " (barrier partition " + rank + ")";
            RowShard shard = RowShard.of(mine, rows.features(), rows.classes(), where).padToLargest(group);
            trainSamples = shard.rows();
            var train = shard.source(Datasets.Split.TRAIN, "spark rows of " + where + " (" + shard.rows() + " rows, "
                    + rows.features() + " features, " + rows.classes() + " classes)", rows.classes());
            var test = rows.testLabels() == null ? null : RowShard.of(rows.testFeatures(), rows.testLabels())
                    .source(Datasets.Split.TEST, "spark evaluation rows", rows.classes());
            run = new TrainingRun(config, train, test, group, false);
        }
        double startupMs = (System.nanoTime() - t0) / 1e6;
        try (run) {
            Module model = run.model();
            Trainer trainer = new Trainer(model, run.loss(), run.optimizer(), run.schedule(), config.precision(),
                    run.trainLoader(), run.testLoader(), run.plan(), lead ? dir : null, null,
                    run.trainFlopsPerSample(), MachinePeak.detect().gflops() * 1e9,
                    lead && console ? System.out : null, run.gradientSync());
            RankCallback recorder = new RankCallback(rank, ctx);
            trainer.addCallback(recorder);
            if (callbacks != null) {
                TrainerCallback extra = callbacks.create(rank, attempt);
                if (extra != null) {
                    trainer.addCallback(extra);
                }
            }
            long resumedStep = 0;
            if (resumeFrom != null) {
                trainer.restore(Checkpoints.load(resumeFrom));
                resumedStep = trainer.step();
            }
            Trainer.Summary s = trainer.fit();
            Evaluation e = s.lastEval();
            byte[] weights = null;
            if (lead) {
                Map<String, dev.brisk.tensor.Tensor> state = model.stateDict();
                weights = SafeTensors.encode(state, Map.of("format", "brisk"));
            }
            return new RankResult(rank, world, attempt, ctx.getTaskInfos()[rank].address(), s.steps(), s.lastLoss(),
                    e == null ? Double.NaN : e.loss(), e == null ? Double.NaN : e.accuracy(), s.seconds(), startupMs,
                    resumedStep, trainSamples, List.copyOf(recorder.records()), weights);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
