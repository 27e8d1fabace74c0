package dev.brisk.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of the test JVM (Spark allows one SparkContext per JVM), shared by every test class
 * and stopped at exit. Two task slots, loopback only, no UI, and a barrier stage that cannot get its slots fails
 * after one quick check instead of long retries; a failed stage gets one retry. SPARK_LOCAL_IP=127.0.0.1 comes from the surefire configuration.
 */
final class LocalSpark {

    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("brisk-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    // the tests' tiny queries run faster interpreted than compiled
                    .config("spark.sql.codegen.wholeStage", "false")
                    .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
                    .config("spark.sql.adaptive.enabled", "false")
                    .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
                    .config("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1")
                    // a failed barrier stage is retried once (default: up to 4 attempts)
                    .config("spark.stage.maxConsecutiveAttempts", "2")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }
}
