package dev.brisk.spark;

import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brisk spark-train [CONFIG] [--master M] [--ranks N] [--set k=v ...] [--run-dir DIR] [--resume]
 * [--conf k=v ...]}: the configuration's training run, data-parallel over N Spark barrier tasks
 * ({@link SparkTrainer}). Run by {@code ./brisk spark-train} (local Spark from the build) or as the main class of
 * {@code brisk-spark.jar} under {@code spark-submit}, whose master and settings then apply.
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
        description = "Train data-parallel as an Apache Spark barrier stage (see docs/SPARK.md).")
public final class SparkTrainMain implements Callable<Integer> {

    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+)(,\\d+)?]");

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "YAML config (default: built-in)")
    Path configFile;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], spark://host:port, yarn... (default: spark-submit's, else local[2])")
    String master;

    @Option(names = "--ranks", paramLabel = "N", description = "barrier tasks = Brisk ranks (default: N of local[N],"
            + " else the default parallelism)")
    Integer ranks;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, e.g. steps=100")
    List<String> sets = new ArrayList<>();

    @Option(names = "--run-dir", paramLabel = "DIR", description = "run directory, shared by driver and executors "
            + "(default runs/<timestamp>)")
    Path runDir;

    @Option(names = "--resume", description = "continue from the newest checkpoint in --run-dir")
    boolean resume;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, e.g. spark.ui.enabled=true")
    List<String> conf = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "rendezvous and collective deadline "
            + "(default 300)")
    double timeoutSeconds = 300;

    @Option(names = "--bind", paramLabel = "ADDR", description = "address every rank listens on (default: the task's"
            + " host as Spark reports it)")
    String bind;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "dev/brisk/spark/log4j2-cli.properties");
        }
        CommandLine cl = new CommandLine(new SparkTrainMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof ConfigException) {
                cmd.getErr().println("brisk: spark-train: " + ex.getMessage());
                return 2;
            }
            cmd.getErr().println("brisk: spark-train failed: " + ex);
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (resume && runDir == null) {
            throw new IllegalArgumentException("--resume continues the run in --run-dir; name it");
        }
        TrainConfig config = configFile == null ? ConfigLoader.load(sets) : ConfigLoader.load(configFile, sets);
        SparkConf sparkConf = new SparkConf().setAppName("brisk spark-train");
        if (master != null) {
            sparkConf.setMaster(master);
        } else if (!sparkConf.contains("spark.master")) {
            sparkConf.setMaster("local[2]");
        }
        sparkConf.setIfMissing("spark.ui.enabled", "false");
        if (sparkConf.get("spark.master").startsWith("local")) {
            // one machine: keep the driver (and so the ranks) on loopback
            sparkConf.setIfMissing("spark.driver.host", "127.0.0.1");
            sparkConf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--conf takes KEY=VALUE, got '" + kv + "'");
            }
            sparkConf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Path dir = runDir != null ? runDir : freshRunDir();
        long t0 = System.nanoTime();
        SparkContext sc = new SparkContext(sparkConf);
        double contextSeconds = (System.nanoTime() - t0) / 1e9;
        try {
            int n = ranks != null ? ranks : defaultRanks(sparkConf.get("spark.master"), sc.defaultParallelism());
            System.out.printf(Locale.ROOT, "brisk spark-train: %s on %s, %d ranks (barrier tasks), run directory %s%n",
                    config.model().kind().key(), sparkConf.get("spark.master"), n, dir.toAbsolutePath());
            SparkTrainer trainer = new SparkTrainer(sc, config).ranks(n).runDir(dir).resume(resume)
                    .timeout(Duration.ofMillis(Math.round(timeoutSeconds * 1000))).bindAddress(bind).console(true);
            SparkTrainResult r = trainer.fit();
            RankResult lead = r.lead();
            System.out.printf(Locale.ROOT, "done: %d steps, final train loss %.4f%s; start-up %.1f s, mean step %.1f ms"
                    + " (after %d steps), job %.1f s%n", lead.steps(), lead.lastLoss(),
                    Double.isNaN(lead.evalLoss()) ? "" : String.format(Locale.ROOT, ", test loss %.4f, test accuracy "
                            + "%.4f", lead.evalLoss(), lead.evalAccuracy()), r.startupSeconds(), r.meanStepMs(),
                    SparkTrainResult.WARMUP_STEPS, r.wallSeconds());
            System.out.printf(Locale.ROOT, "spark context start %.1f s; barrier job start-up (scheduling, "
                    + "rendezvous, data, model) %.1f s%n", contextSeconds, r.startupSeconds());
            System.out.printf("model: %s, per-rank metrics: %s, summary: %s%n", dir.resolve("model.safetensors"),
                    dir.resolve("ranks"), dir.resolve("spark.json"));
            return 0;
        } finally {
            sc.stop();
        }
    }

    static int defaultRanks(String master, int defaultParallelism) {
        Matcher m = LOCAL.matcher(master);
        return m.matches() ? Integer.parseInt(m.group(1)) : defaultParallelism;
    }

    private static Path freshRunDir() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Path.of("runs", stamp);
        for (int i = 2; Files.exists(dir); i++) {
            dir = Path.of("runs", stamp + "-" + i);
        }
        return dir;
    }
}
