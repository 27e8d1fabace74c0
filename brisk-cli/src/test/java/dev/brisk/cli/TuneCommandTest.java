package dev.brisk.cli;

import static dev.brisk.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brisk tune lr} and {@code brisk tune batch} end to end on a small crafted IDX dataset. */
class TuneCommandTest {

    @Test
    void lrAndBatch(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        TrainCommandTest.writeSplit(data, "train", 256, 1);
        TrainCommandTest.writeSplit(data, "t10k", 32, 2);
        Path runDir = tmp.resolve("lr");
        Object[] lr = run("tune", "lr", "--set", "data.dir=" + data, "--set", "model=mlp", "--set", "data.workers=0",
                "--set", "batch_size=32", "--threads", "1", "--steps", "30", "--min-lr", "1e-5", "--max-lr", "100",
                "--run-dir", runDir.toString());
        assertEquals(0, lr[0], lr[2] + "\n" + lr[1]);
        assertTrue(((String) lr[1]).contains("suggested lr"), (String) lr[1]);
        assertTrue(Files.readString(runDir.resolve("lr_range.csv")).startsWith("step,lr,loss,smoothed_loss\n"));
        assertEquals(900, ImageIO.read(runDir.resolve("lr_range.png").toFile()).getWidth());

        Object[] batch = run("tune", "batch", "--set", "data.dir=" + data, "--set", "model=mlp", "--set",
                "data.workers=0", "--threads", "1", "--memory-budget", "64m", "--max-batch", "64");
        assertEquals(0, batch[0], batch[2] + "\n" + batch[1]);
        assertTrue(((String) batch[1]).contains("pick: batch 64"), (String) batch[1]);

        Object[] bad = run("tune", "batch", "--set", "data.dir=" + data, "--memory-budget", "lots");
        assertEquals(2, bad[0]);
        assertTrue(((String) bad[2]).contains("--memory-budget: memory size 'lots' is not understood"),
                (String) bad[2]);
        Object[] badLr = run("tune", "lr", "--set", "data.dir=" + data, "--min-lr", "1", "--max-lr", "0.1");
        assertEquals(2, badLr[0]);
    }
}
