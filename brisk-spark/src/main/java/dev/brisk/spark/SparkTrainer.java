package dev.brisk.spark;

import dev.brisk.tensor.Tensor;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.io.AtomicFiles;
import dev.brisk.train.io.SafeTensors;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Data-parallel Brisk training as one Spark barrier stage: {@code ranks} tasks start together, each one a Brisk
 * rank with its own TCP endpoint, and train one model with Brisk's process group and DistributedDataParallel —
 * Spark schedules and supervises, Brisk communicates. See docs/SPARK.md.
 *
 * <pre>{@code
 * SparkTrainResult r = new SparkTrainer(sc, config).ranks(4).runDir(Path.of("/shared/runs/a")).fit();
 * Map<String, Tensor> weights = r.model();
 * }</pre>
 *
 * <ul>
 *   <li>{@link #fit()} trains on the configuration's data files, which every executor must be able to read; each
 *       rank reads its {@code DistributedSampler} shard, exactly as under {@code brisk launch}.</li>
 *   <li>{@link #fit(Dataset, List, String)} trains on the rows of a Spark {@code Dataset<Row>}: numeric feature
 *       columns and an integral label column; the rows are repartitioned into one partition per rank and
 *       converted to tensors inside the tasks.</li>
 * </ul>
 * The driver generates a fresh shared secret per job and hands it to the tasks (enable Spark's RPC encryption,
 * {@code spark.network.crypto.enabled}, where the network is not trusted). Rank 0 writes the run directory
 * (config, metrics, checkpoints); the driver adds {@code model.safetensors} from rank 0's returned weights,
 * {@code ranks/rank-N.jsonl} (every rank's step records) and {@code spark.json}. The run directory has to be on a
 * file system that the driver and every executor share for checkpoints and resuming; a failed task fails the
 * stage, Spark retries the stage per its settings, and a retry continues from the last checkpoint there.
 */
public final class SparkTrainer {

    /** Makes a per-rank hook into the training loop, on the executor; serializable, as it travels with the task. */
    @FunctionalInterface
    public interface CallbackFactory extends Serializable {
        /** A callback for {@code rank} in the given stage attempt (0 first), or null for none. */
        TrainerCallback create(int rank, int stageAttempt);
    }

    private final SparkContext sc;
    private final TrainConfig config;
    private int ranks;
    private Path runDir;
    private boolean resume;
    private Duration timeout = Duration.ofSeconds(300);
    private String bindAddress;
    private boolean console;
    private CallbackFactory callbacks;
    private Integer classes;
    private Dataset<Row> testRows;

    public SparkTrainer(SparkContext sc, TrainConfig config) {
        this.sc = Objects.requireNonNull(sc, "sc");
        this.config = Objects.requireNonNull(config, "config");
        this.ranks = sc.defaultParallelism();
    }

    /** Ranks = barrier tasks; each needs a free task slot at once (default: the context's default parallelism). */
    public SparkTrainer ranks(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("ranks must be at least 1, got " + n);
        }
        this.ranks = n;
        return this;
    }

    /** The run directory (shared by driver and executors), or null to write nothing and only return the model. */
    public SparkTrainer runDir(Path dir) {
        this.runDir = dir;
        return this;
    }

    /** Continue from the newest checkpoint in the run directory (a retried stage always does). */
    public SparkTrainer resume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /** The deadline of the rendezvous and of every collective (default 300 s). */
    public SparkTrainer timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * The address every rank listens on (default: loopback in local mode, else its executor's host as Spark
     * reports it).
     */
    public SparkTrainer bindAddress(String address) {
        this.bindAddress = address;
        return this;
    }

    /** Rank 0 prints progress to its standard output (the driver's console in local mode). */
    public SparkTrainer console(boolean on) {
        this.console = on;
        return this;
    }

    /** Adds a hook into every rank's training loop. */
    public SparkTrainer callbacks(CallbackFactory factory) {
        this.callbacks = factory;
        return this;
    }

    /** The number of classes of row data (default: the largest label + 1, computed with one Spark job). */
    public SparkTrainer classes(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("classes must be at least 2, got " + n);
        }
        this.classes = n;
        return this;
    }

    /** Evaluation rows for {@link #fit(Dataset, List, String)}, collected to the driver and given to every rank. */
    public SparkTrainer testRows(Dataset<Row> rows) {
        this.testRows = rows;
        return this;
    }

    /** Trains on the configuration's data files (see the class comment). */
    public SparkTrainResult fit() {
        JavaRDD<Integer> slots = JavaSparkContext.fromSparkContext(sc)
                .parallelize(IntStream.range(0, ranks).boxed().toList(), ranks);
        return run(slots.rdd(), null);
    }

    /**
     * Trains on {@code rows}: the {@code features} columns (numeric, in this order) are the input, {@code label}
     * (integral, 0 ≤ label &lt; classes) the class. {@code config.data} still gives batch size and loader settings.
     */
    public SparkTrainResult fit(Dataset<Row> rows, List<String> features, String label) {
        if (features.isEmpty()) {
            throw new IllegalArgumentException("name at least one feature column");
        }
        List<String> columns = new ArrayList<>(features);
        columns.add(label);
        for (String c : columns) {
            checkNumeric(rows, c);
        }
        Column[] select = columns.stream().map(functions::col).toArray(Column[]::new);
        int k = classes != null ? classes : countClasses(rows, label);
        float[][] testX = null;
        int[] testY = null;
        if (testRows != null) {
            List<Row> test = testRows.select(select).collectAsList();
            testX = new float[test.size()][];
            testY = new int[test.size()];
            RowShard shard = RowShard.of(test.iterator(), features.size(), k, "the evaluation rows");
            for (int i = 0; i < test.size(); i++) {
                testX[i] = shard.get(i).input();
                testY[i] = shard.get(i).label();
            }
        }
        JavaRDD<Row> data = rows.select(select).toJavaRDD();
        if (data.getNumPartitions() != ranks) {
            data = data.repartition(ranks);
        }
        return run(data.rdd(), new RankTask.RowSpec(features.size(), k, testX, testY));
    }

    private <T> SparkTrainResult run(RDD<T> input, RankTask.RowSpec rows) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secret = HexFormat.of().formatHex(key);
        prepareRunDir();
        // a local-mode job never needs to listen beyond loopback
        String bind = bindAddress != null ? bindAddress : sc.isLocal() ? "127.0.0.1" : null;
        RankTask<T> task = new RankTask<>(config.toYaml(), secret, timeout, bind, runDir, resume, console, rows,
                callbacks);
        ClassTag<RankResult> tag = ClassTag$.MODULE$.apply(RankResult.class);
        long t0 = System.nanoTime();
        // Collected through a shuffle, so that the barrier stage is a shuffle-map stage: Spark retries a failed one
        // as a whole (up to spark.stage.maxConsecutiveAttempts), but never a failed barrier result stage.
        List<RankResult> results = new ArrayList<>(input.barrier().mapPartitions(task, false, tag).toJavaRDD()
                .repartition(1).collect());
        double wall = (System.nanoTime() - t0) / 1e9;
        results.sort(Comparator.comparingInt(RankResult::rank));
        RankResult lead = results.getFirst();
        Map<String, Tensor> model;
        try {
            model = SafeTensors.decode(ByteBuffer.wrap(lead.model()), "rank 0's model").tensors();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SparkTrainResult result = new SparkTrainResult(model, results, runDir, wall);
        if (runDir != null) {
            writeResults(result);
        }
        return result;
    }

    private void prepareRunDir() {
        if (runDir == null) {
            return;
        }
        try {
            if (!resume && Files.isDirectory(runDir) && !Checkpoints.list(runDir).isEmpty()) {
                throw new IllegalArgumentException("run directory " + runDir + " already has checkpoints: resume "
                        + "from them (resume(true), --resume) or choose a new directory");
            }
            Files.createDirectories(runDir);
            AtomicFiles.write(runDir.resolve("config.yaml"), config.toYaml().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the run directory " + runDir, e);
        }
    }

    private void writeResults(SparkTrainResult r) {
        try {
            SafeTensors.write(runDir.resolve("model.safetensors"), r.model(), Map.of("format", "brisk"));
            Path ranksDir = Files.createDirectories(runDir.resolve("ranks"));
            for (RankResult rank : r.ranks()) {
                String lines = String.join("\n", rank.stepRecords()) + (rank.stepRecords().isEmpty() ? "" : "\n");
                AtomicFiles.write(ranksDir.resolve("rank-" + rank.rank() + ".jsonl"),
                        lines.getBytes(StandardCharsets.UTF_8));
            }
            AtomicFiles.write(runDir.resolve("spark.json"), r.toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results into " + runDir, e);
        }
    }

    private static void checkNumeric(Dataset<Row> rows, String column) {
        StructField field = null;
        for (StructField f : rows.schema().fields()) {
            if (f.name().equals(column)) {
                field = f;
            }
        }
        if (field == null) {
            throw new IllegalArgumentException("column '" + column + "' is not in the rows; they have "
                    + List.of(rows.columns()));
        }
        if (!(field.dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("column '" + column + "' is " + field.dataType().simpleString()
                    + "; features and label must be numeric (cast or index it first)");
        }
    }

    private static int countClasses(Dataset<Row> rows, String label) {
        Row max = rows.agg(functions.max(functions.col(label))).first();
        if (max.isNullAt(0)) {
            throw new IllegalArgumentException("the rows are empty (no label in column '" + label + "')");
        }
        return (int) Math.round(((Number) max.get(0)).doubleValue()) + 1;
    }
}
