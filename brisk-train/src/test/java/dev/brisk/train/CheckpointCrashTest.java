package dev.brisk.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process killed while writing a checkpoint leaves every visible checkpoint complete and loadable. */
class CheckpointCrashTest {

    /** Child process: writes checkpoints of a 16 MB model forever, each with its step in every weight. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            Path run = Path.of(args[0]);
            for (long step = 1; ; step++) {
                float[] w = new float[4 << 20];
                java.util.Arrays.fill(w, step);
                ObjectNode t = MetricsLog.object();
                t.put("step", step);
                Checkpoints.save(run, step, Map.of("w", Tensor.of(w, w.length)),
                        Map.of("m", Tensor.full(step, 1024)), t, 3);
            }
        }
    }

    @Test
    void killedWriterLeavesOnlyCompleteCheckpoints(@TempDir Path dir) throws Exception {
        for (int round = 0; round < 3; round++) {
            Path run = dir.resolve("run" + round);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(),
                    run.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("child" + round + ".log")
                    .toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (Checkpoints.list(run).size() < 2 + round && System.nanoTime() < deadline) {
                    assertTrue(p.isAlive(), "the writer died on its own: " + Files.readString(dir.resolve("child"
                            + round + ".log")));
                    Thread.sleep(5);
                }
                Thread.sleep(7 * round + 3); // land the kill at different points of a write
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "writer did not die");
            }
            List<Path> visible = Checkpoints.list(run);
            assertFalse(visible.isEmpty());
            for (Path c : visible) {
                Checkpoints.Loaded l = Checkpoints.load(c);
                long step = l.trainer().get("step").asLong();
                float[] w = l.model().get("w").toFloatArray();
                assertEquals(4 << 20, w.length);
                assertEquals(step, (long) w[0]);
                assertEquals(step, (long) w[w.length - 1]);
                assertEquals(step, (long) l.optimizer().get("m").toFloatArray()[1023]);
            }
        }
    }
}
