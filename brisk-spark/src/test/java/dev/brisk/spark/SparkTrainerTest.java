package dev.brisk.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.DistEnv;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.TcpGroup;
import dev.brisk.dist.TcpStore;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.io.SafeTensors;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Barrier-stage training in {@code local[2]}: two Brisk ranks in one barrier stage. */
class SparkTrainerTest {

    private static final int FEATURES = 6;
    private static final int CLASSES = 3;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path csv;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.get();
        csv = tmp.resolve("blobs.csv");
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < FEATURES; j++) {
            s.append('f').append(j).append(',');
        }
        s.append("label\n");
        for (Sample x : blobs(600, 11)) {
            for (float v : x.features) {
                s.append(String.format(Locale.ROOT, "%.5f,", v));
            }
            s.append(x.label).append('\n');
        }
        Files.writeString(csv, s);
    }

    /** A small MLP on the csv blobs: 2 ranks × batch 16, 12 SGD steps, a checkpoint every 4. */
    private static TrainConfig config(String... extra) {
        List<String> sets = new ArrayList<>(List.of("model=mlp", "data.dataset=csv", "data.files=[" + csv + "]",
                "data.label_column=label", "data.batch_size=16", "data.workers=0", "steps=12", "optim.name=sgd",
                "optim.lr=0.05", "schedule.name=constant", "checkpoint.every_steps=4", "checkpoint.every_epochs=null",
                "eval.every_epochs=null", "seed=5", "threads=1"));
        sets.addAll(List.of(extra));
        return ConfigLoader.load(sets);
    }

    @Test
    void barrierStageReachesTheWeightsOfATcpGroupRunAndWritesTheRunDirectory() throws Exception {
        TrainConfig config = config();
        Path dir = tmp.resolve("run-files");
        SparkTrainResult r = new SparkTrainer(spark.sparkContext(), config).ranks(2).runDir(dir).fit();

        Map<String, Tensor> reference = referenceRun(config);
        assertEquals(reference.keySet(), r.model().keySet());
        for (var e : reference.entrySet()) {
            float[] want = e.getValue().contiguous().toFloatArray();
            float[] got = r.model().get(e.getKey()).contiguous().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5f + 1e-5f * Math.abs(want[i]), e.getKey() + "[" + i + "]");
            }
        }
        // the weights moved: training happened
        Map<String, Tensor> init = dev.brisk.train.model.ModelPresets.build(config.model(), new int[] {FEATURES},
                CLASSES, new Rng(config.seed())).stateDict();
        String w = init.keySet().iterator().next();
        assertTrue(maxAbsDiff(init.get(w), r.model().get(w)) > 1e-3, "weights did not change");

        assertEquals(2, r.ranks().size());
        for (RankResult rank : r.ranks()) {
            assertEquals(12, rank.steps());
            assertEquals(12, rank.stepRecords().size());
            assertTrue(Files.readString(dir.resolve("ranks/rank-" + rank.rank() + ".jsonl")).contains("\"step\":12"));
        }
        assertTrue(Files.isRegularFile(dir.resolve("config.yaml")));
        assertTrue(Files.readString(dir.resolve("metrics.jsonl")).contains("\"step\""));
        assertEquals(3, Checkpoints.list(dir).size());
        Map<String, Tensor> saved = SafeTensors.read(dir.resolve("model.safetensors")).tensors();
        assertArrayEquals(r.model().get(w).contiguous().toFloatArray(), saved.get(w).contiguous().toFloatArray());
        assertTrue(Files.readString(dir.resolve("spark.json")).contains("\"startup_s\""));
    }

    @Test
    void aFailedRankFailsTheJobWithItsErrorAndAResumedRunEndsAtTheSameWeights() throws Exception {
        TrainConfig config = config();
        Map<String, Tensor> uninterrupted = new SparkTrainer(spark.sparkContext(), config).ranks(2).fit().model();

        Path dir = tmp.resolve("run-failing");
        SparkTrainer failing = new SparkTrainer(spark.sparkContext(), config).ranks(2).runDir(dir)
                .callbacks((rank, attempt) -> rank == 1 ? new FailAt(7) : null);
        Exception e = assertThrows(Exception.class, failing::fit);
        String message = messages(e);
        assertTrue(message.contains("rank 1") && message.contains("injected failure at step 7"), message);
        assertEquals("step-000000004", Checkpoints.latest(dir).orElseThrow().getFileName().toString(),
                "the last checkpoint before the failure");

        SparkTrainResult resumed = new SparkTrainer(spark.sparkContext(), config).ranks(2).runDir(dir).resume(true)
                .fit();
        assertEquals(4, resumed.lead().resumedStep());
        for (var en : uninterrupted.entrySet()) {
            assertArrayEquals(en.getValue().contiguous().toFloatArray(),
                    resumed.model().get(en.getKey()).contiguous().toFloatArray(), en.getKey());
        }
    }

    /**
     * A rank failing in the first stage attempt only: Spark retries the whole barrier stage, and the retry continues
     * from the last checkpoint in the run directory to the weights of a run without failure.
     */
    @Test
    void aFailureInTheFirstAttemptIsRetriedBySparkAndResumesFromTheLastCheckpoint() throws IOException {
        Path csv = tmp.resolve("retry.csv");
        StringBuilder s = new StringBuilder("a,b,c,label\n");
        Random rnd = new Random(1);
        for (int i = 0; i < 300; i++) {
            int label = i % 2;
            s.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%d%n", rnd.nextGaussian() + 2 * label,
                    rnd.nextGaussian(), rnd.nextGaussian() - label, label));
        }
        Files.writeString(csv, s);
        TrainConfig config = ConfigLoader.load(List.of("model=mlp", "data.dataset=csv", "data.files=[" + csv + "]",
                "data.label_column=label", "data.batch_size=16", "data.workers=0", "steps=10", "optim.name=sgd",
                "optim.lr=0.05", "checkpoint.every_steps=3", "checkpoint.every_epochs=null", "eval.every_epochs=null",
                "seed=9", "threads=1"));
        Map<String, Tensor> clean = new SparkTrainer(spark.sparkContext(), config).ranks(2).fit().model();

        SparkTrainResult r = new SparkTrainer(spark.sparkContext(), config).ranks(2).runDir(tmp.resolve("run-retried"))
                .callbacks((rank, attempt) -> rank == 0 && attempt == 0 ? new FailAt(5) : null).fit();
        assertEquals(1, r.lead().stageAttempt(), "the second attempt finished the job");
        assertEquals(3, r.lead().resumedStep(), "it resumed from the step-3 checkpoint");
        assertEquals(10, r.lead().steps());
        for (var e : clean.entrySet()) {
            assertArrayEquals(e.getValue().contiguous().toFloatArray(),
                    r.model().get(e.getKey()).contiguous().toFloatArray(), e.getKey());
        }
    }

    @Test
    void trainsOnTheRowsOfASparkDataset() {
        StructType schema = schema();
        Dataset<Row> train = spark.createDataFrame(rows(blobs(400, 3)), schema);
        Dataset<Row> test = spark.createDataFrame(rows(blobs(200, 4)), schema);
        List<String> features = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            features.add("f" + j);
        }
        TrainConfig config = ConfigLoader.load(List.of("model=mlp", "data.batch_size=32", "data.workers=0",
                "data.augment=[]", "epochs=1", "optim.lr=0.01", "checkpoint.every_epochs=null", "seed=3"));
        SparkTrainResult r = new SparkTrainer(spark.sparkContext(), config).ranks(2).testRows(test)
                .fit(train, features, "label");

        assertEquals(400, r.ranks().stream().mapToInt(RankResult::trainSamples).sum(), "every row trained on once");
        assertEquals(r.ranks().get(0).steps(), r.ranks().get(1).steps());
        assertTrue(r.lead().evalAccuracy() > 0.9, "test accuracy " + r.lead().evalAccuracy());
        assertEquals(CLASSES, r.model().values().stream().reduce((a, b) -> b).orElseThrow().shape()[0]);
    }

    @Test
    void rowsWithANonNumericColumnAreRejectedAtTheDriver() {
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("f0", DataTypes.StringType, false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false)});
        Dataset<Row> bad = spark.createDataFrame(List.of(RowFactory.create("x", 0)), schema);
        var e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(spark.sparkContext(),
                ConfigLoader.load(List.of("model=mlp", "data.augment=[]"))).ranks(2).fit(bad, List.of("f0"), "label"));
        assertTrue(e.getMessage().contains("'f0'") && e.getMessage().contains("numeric"), e.getMessage());
    }

    // ---- support ------------------------------------------------------------------------------------------------

    /** Throws from the training loop once the given step is done. */
    private static final class FailAt implements TrainerCallback {
        private final long step;

        FailAt(long step) {
            this.step = step;
        }

        @Override
        public void afterStep(Trainer trainer, StepResult result) {
            if (result.step() == step) {
                throw new IllegalStateException("injected failure at step " + step);
            }
        }
    }

    /**
     * The same configuration trained by two ranks of a plain TCP process group (threads of this JVM), the way
     * {@code brisk train} does under {@code brisk launch}; returns rank 0's weights.
     */
    private static Map<String, Tensor> referenceRun(TrainConfig config) throws Exception {
        String token = "reference-token-0123456789";
        String job = "reference";
        TcpStore store = TcpStore.start(InetAddress.getLoopbackAddress(), 0, token, job, 0, 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Map<String, Tensor>>> ranks = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                int r = rank;
                ranks.add(pool.submit(() -> {
                    DistEnv env = new DistEnv("127.0.0.1", store.port(), r, 2, r, token, Duration.ofSeconds(60), job,
                            0, null);
                    try (ProcessGroup group = TcpGroup.connect(env, r == 0 ? store : null);
                         TrainingRun run = new TrainingRun(config, true, group)) {
                        new Trainer(run.model(), run.loss(), run.optimizer(), run.schedule(), config.precision(),
                                run.trainLoader(), run.testLoader(), run.plan(), null, null, 0, 0, null,
                                run.gradientSync()).fit();
                        return run.model().stateDict();
                    }
                }));
            }
            Map<String, Tensor> lead = ranks.get(0).get(120, TimeUnit.SECONDS);
            ranks.get(1).get(120, TimeUnit.SECONDS);
            return lead;
        } finally {
            pool.shutdownNow();
        }
    }

    private record Sample(float[] features, int label) {
    }

    /** Three Gaussian blobs in {@value #FEATURES} dimensions, centres 3 apart, unit noise. */
    private static List<Sample> blobs(int n, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES;
            float[] x = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = (float) (rnd.nextGaussian() + (j % CLASSES == label ? 3 : 0));
            }
            out.add(new Sample(x, label));
        }
        return out;
    }

    private static StructType schema() {
        List<StructField> fields = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            fields.add(DataTypes.createStructField("f" + j, DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
        return DataTypes.createStructType(fields);
    }

    private static List<Row> rows(List<Sample> samples) {
        List<Row> out = new ArrayList<>();
        for (Sample s : samples) {
            Object[] v = new Object[FEATURES + 1];
            for (int j = 0; j < FEATURES; j++) {
                v[j] = (double) s.features[j];
            }
            v[FEATURES] = s.label;
            out.add(RowFactory.create(v));
        }
        return out;
    }

    private static float maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.contiguous().toFloatArray();
        float[] y = b.contiguous().toFloatArray();
        float m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    private static String messages(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t).append(" | ");
        }
        return s.toString();
    }
}
