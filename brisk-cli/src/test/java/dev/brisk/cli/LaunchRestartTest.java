package dev.brisk.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.launch.Launcher;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code brisk launch --nproc 2 --max-restarts 1 -- train --run-dir DIR} with a rank dying once, mid-run (rank 1
 * between two steps; rank 0 killed with SIGKILL while writing a checkpoint): the job is restarted, resumes from the
 * last complete checkpoint and ends with exactly the weights of an uninterrupted run (computed once, shared).
 */
class LaunchRestartTest {

    // ZeRO-2 only (each launch is slow): its checkpoints are gathered collectively, so the fault path covers every
    // rank's part in them
    private static final int ZERO = 2;
    private static final int TIMEOUT_S = 30; // also bounds the rendezvous of JVMs starting on a loaded machine

    @TempDir
    static Path shared;
    private static Path data;
    private static Map<String, Tensor> uninterrupted;

    /** The training data, and the final weights of the run without faults. */
    private static synchronized Map<String, Tensor> uninterrupted() throws Exception {
        if (uninterrupted == null) {
            data = Files.createDirectories(shared.resolve("data"));
            TrainCommandTest.writeSplit(data, "train", 256, 1);
            TrainCommandTest.writeSplit(data, "t10k", 32, 2);
            Path straight = shared.resolve("straight");
            Outcome a = launch(0, base(), train(data, straight, ZERO));
            assertEquals(0, a.status(), a.out());
            uninterrupted = finalWeights(straight);
        }
        return uninterrupted;
    }

    private static Map<String, String> base() {
        return Map.of("BRISK_DIST_TIMEOUT", Integer.toString(TIMEOUT_S), "BRISK_THREADS", "1");
    }

    private static void assertSameWeights(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toFloatArray(), actual.get(k).toFloatArray(),
                    "dist.zero=" + ZERO + ": " + k + " differs from the uninterrupted run");
        }
    }

    private static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "--add-modules=jdk.incubator.vector");

    private static String javaExe() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

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
                .withJvm(javaExe(), JVM_FLAGS, classPath())
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
        Map<String, Tensor> expected = uninterrupted();
        Path restarted = tmp.resolve("restarted");
        Map<String, String> faulty = new HashMap<>(base());
        faulty.put(TrainCommand.FAULT_STEP, "6"); // after the checkpoint at step 4, before the one at 8
        Outcome b = launch(1, faulty, train(data, restarted, ZERO));
        assertEquals(0, b.status(), b.out());
        assertTrue(b.out().contains("[rank 1] fault injection: rank 1 exits after step 6"), b.out());
        assertTrue(b.out().contains("rank 1 exited with status " + TrainCommand.FAULT_STATUS), b.out());
        assertTrue(b.out().contains("[rank 0]   resumed from") && b.out().contains("step-000000004"), b.out());
        assertSameWeights(expected, finalWeights(restarted));
    }

    /**
     * Rank 0 is killed (SIGKILL) while it writes the checkpoint of step 8: its model and optimizer files are staged,
     * {@code trainer.json} and the commit are not. First as generation 0 alone, with the ranks started directly (the
     * launcher would stop the survivor at once): rank 1 fails with a {@code DistributedException} naming rank 0
     * within the timeout, and only complete checkpoints are visible — step 4, not the staged step 8. Then under the
     * launcher with one restart: generation 1 resumes from step 4 and ends with the uninterrupted run's weights.
     */
    @Test
    @Timeout(240)
    void rankZeroKilledWhileWritingACheckpointLeavesItUncommittedAndTheRestartEndsAsAnUninterruptedRun(
            @TempDir Path tmp) throws Exception {
        Map<String, Tensor> expected = uninterrupted();
        Map<String, String> faulty = new HashMap<>(base());
        faulty.put(TrainCommand.FAULT_CHECKPOINT, "8");

        Path alone = tmp.resolve("generation0");
        List<Process> ranks = startGenerationZero(faulty, train(data, alone, ZERO), tmp);
        try {
            for (Process p : ranks) {
                assertTrue(p.waitFor(TIMEOUT_S + 60, TimeUnit.SECONDS), "a rank hung: " + logs(tmp));
            }
        } finally {
            ranks.forEach(Process::destroyForcibly);
        }
        String log0 = Files.readString(tmp.resolve("rank0.log"));
        String log1 = Files.readString(tmp.resolve("rank1.log"));
        assertTrue(log0.contains("fault injection: rank 0 killed (SIGKILL) while writing checkpoint 8"), log0);
        assertEquals(128 + 9, ranks.get(0).exitValue(), "rank 0 should have died of SIGKILL: " + log0);
        assertEquals(1, ranks.get(1).exitValue(), log1);
        assertTrue(log1.lines().anyMatch(l -> l.startsWith("brisk: dev.brisk.dist.DistributedException: ")
                && l.contains("rank 0")), log1);
        List<Path> visible = Checkpoints.list(alone);
        assertEquals(List.of("step-000000004"), visible.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(4, Checkpoints.load(visible.getFirst()).trainer().get("step").asLong());
        try (var staged = Files.list(Checkpoints.dirOf(alone))) {
            List<Path> left = staged.filter(p -> p.getFileName().toString().startsWith(".staging-8-")).toList();
            assertEquals(1, left.size(), "the kill should land inside the write of step 8");
            assertTrue(Files.isRegularFile(left.getFirst().resolve("model.safetensors")));
            assertFalse(Files.exists(left.getFirst().resolve("trainer.json")));
        }

        Path restarted = tmp.resolve("restarted");
        Outcome b = launch(1, faulty, train(data, restarted, ZERO));
        assertEquals(0, b.status(), b.out());
        assertTrue(b.out().contains("rank 0 exited with status " + (128 + 9) + " (generation 0)"), b.out());
        assertTrue(b.out().contains("[rank 0]   resumed from") && b.out().contains("step-000000004"), b.out());
        for (Path c : Checkpoints.list(restarted)) {
            Checkpoints.load(c);
        }
        assertSameWeights(expected, finalWeights(restarted));
    }

    /** The ranks of generation 0 as the launcher starts them, with their output in {@code dir/rankR.log}. */
    private static List<Process> startGenerationZero(Map<String, String> env, List<String> args, Path dir)
            throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<Process> out = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            List<String> cmd = new ArrayList<>(List.of(javaExe()));
            cmd.addAll(JVM_FLAGS);
            cmd.addAll(List.of("-cp", classPath(), Main.class.getName()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("rank" + r + ".log").toFile());
            pb.environment().putAll(Map.of("RANK", Integer.toString(r), "WORLD_SIZE", "2", "BRISK_MASTER_ADDR",
                    "127.0.0.1", "BRISK_MASTER_PORT", Integer.toString(port), "BRISK_DIST_TOKEN",
                    "launch-restart-test-token", "BRISK_JOB_ID", "ckpt-kill", "BRISK_GENERATION", "0"));
            pb.environment().putAll(env);
            out.add(pb.start());
        }
        return out;
    }

    private static String logs(Path dir) throws IOException {
        return Files.readString(dir.resolve("rank0.log")) + "\n---\n" + Files.readString(dir.resolve("rank1.log"));
    }
}
