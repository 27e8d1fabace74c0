package dev.brisk.train.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.data.LoaderPosition;
import dev.brisk.tensor.Tensor;
import dev.brisk.testing.FuzzInvariant;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checkpoint {@code trainer.json}: a checkpoint directory with valid tensors and a fuzzed trainer state. Loading
 * either fails with an {@link IOException} naming the file, or yields the state a resume needs: a step ≥ 0 and a
 * valid loader position.
 */
class CheckpointFuzzTest {

    private static final Path DIR = checkpoint();

    @FuzzTest
    void trainerJson(byte[] input) throws IOException {
        Path trainer = Files.write(DIR.resolve("trainer.json"), input);
        Checkpoints.Loaded c = FuzzInvariant.check(() -> Checkpoints.load(DIR), IOException.class,
                trainer.toString());
        if (c != null) {
            long step = c.trainer().path("step").asLong(-1);
            assertTrue(c.trainer().path("step").canConvertToLong() && step >= 0, "step of a loaded checkpoint: "
                    + c.trainer());
            FuzzInvariant.succeeds(() -> new LoaderPosition(c.trainer().path("epoch").asInt(),
                    c.trainer().path("batch").asInt()));
        }
    }

    private static Path checkpoint() {
        try {
            Path dir = Files.createTempDirectory("brisk-fuzz-checkpoint-");
            SafeTensors.write(dir.resolve("model.safetensors"), Map.of("w", Tensor.of(new float[] {1, 2}, 2)),
                    Map.of());
            SafeTensors.write(dir.resolve("optimizer.safetensors"), Map.of(), Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
                dir.toFile().delete();
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
