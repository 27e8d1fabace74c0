package dev.brisk.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.launch.Launcher;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code brisk launch --nproc 2 --max-restarts 1 -- train --run-dir DIR} with rank 1 dying once, mid-run: the job
 * is restarted, resumes from the last checkpoint and ends with exactly the weights of an uninterrupted run.
 */
class LaunchRestartTest {

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private record Outcome(int status, String out) {
    }

    private static Outcome launch(int maxRestarts, Map<String, String> env, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Launcher.Config c = Launcher.Config.of(2, 0, maxRestarts, Main.class.getName(), args)
                .withJvm(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                        "--add-modules=jdk.incubator.vector"), classPath())
                .withEnv(env)
                .withStopGrace(Duration.ofSeconds(5))
                .withOutput(ps, ps);
        int status = Launcher.run(c);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8));
    }

    private static List<String> train(Path data, Path runDir, int zero) {
        return List.of("train", "--run-dir", runDir.toString(), "--threads", "1", "--set", "data.dir=" + data,
                "--set", "model=mlp", "--set", "data.batch_size=16", "--set", "data.workers=0", "--set", "steps=10",
                "--set", "checkpoint.every_steps=4", "--set", "eval.every_epochs=null", "--set", "dist.zero=" + zero);
    }

    private static Map<String, Tensor> finalWeights(Path runDir) throws Exception {
        Checkpoints.Loaded c = Checkpoints.load(Checkpoints.latest(runDir).orElseThrow());
        assertEquals(10, c.trainer().get("step").asLong());
        return c.model();
    }

    @Test
    @Timeout(240)
    void aWorkerKilledOnceIsRestartedFromTheCheckpointAndTheRunEndsAsAnUninterruptedOne(@TempDir Path tmp)
            throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        TrainCommandTest.writeSplit(data, "train", 256, 1);
        TrainCommandTest.writeSplit(data, "t10k", 32, 2);
        Map<String, String> base = Map.of("BRISK_DIST_TIMEOUT", "30");
        // ZeRO-2 only (each launch is slow): its checkpoints are gathered collectively, so the fault path covers
        // every rank's part in them
        int zero = 2;
        Path straight = tmp.resolve("straight");
        Outcome a = launch(0, base, train(data, straight, zero));
        assertEquals(0, a.status(), a.out());

        Path restarted = tmp.resolve("restarted");
        Map<String, String> faulty = new java.util.HashMap<>(base);
        faulty.put(TrainCommand.FAULT_STEP, "6"); // after the checkpoint at step 4, before the one at 8
        Outcome b = launch(1, faulty, train(data, restarted, zero));
        assertEquals(0, b.status(), b.out());
        assertTrue(b.out().contains("[rank 1] fault injection: rank 1 exits after step 6"), b.out());
        assertTrue(b.out().contains("rank 1 exited with status " + TrainCommand.FAULT_STATUS), b.out());
        assertTrue(b.out().contains("[rank 0]   resumed from") && b.out().contains("step-000000004"), b.out());

        Map<String, Tensor> expected = finalWeights(straight);
        Map<String, Tensor> actual = finalWeights(restarted);
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toFloatArray(), actual.get(k).toFloatArray(),
                    "dist.zero=" + zero + ": " + k + " differs from the uninterrupted run");
        }
    }
}
