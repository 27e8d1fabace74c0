package dev.brisk.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.brisk.data.DataLoader;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.Rng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run directory failing under a checkpoint: a file system that fills up, and one that turns read-only. The
 * training stops with an error naming the step, the directory and the system's reason, and every checkpoint that
 * is still listed is complete and loads — the previous one is intact, no staging directory is left.
 *
 * <p>Both use real mounts, since permission bits do not stop root: a small tmpfs fills up, and a bind mount of
 * the checkpoint directory is remounted read-only mid-run. Where mounting is not allowed the tests are skipped.
 */
class CheckpointDiskFaultTest {

    @Test
    void aFullDiskStopsTrainingWithAClearErrorAndKeepsThePreviousCheckpoint(@TempDir Path dir) throws Exception {
        Path mnt = dir.resolve("small");
        assumeTrue(mount(mnt, "size=1536k"), "mounting a tmpfs is not allowed here");
        try {
            // 33k parameters: model + Adam moments ≈ 400 KB per checkpoint; keeping all, the 4th does not fit
            Path run = mnt.resolve("run");
            Trainer t = trainer(run, 3700, 2);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, t::fit);
            assertTrue(e.getMessage().contains("could not write checkpoint at step") && e.getMessage()
                    .contains(run.toString()) && e.getMessage().contains("No space left on device"), e.getMessage());
            assertIntact(run, e);
        } finally {
            unmount(mnt);
        }
    }

    @Test
    void aReadOnlyCheckpointDirectoryStopsTrainingWithAClearErrorAndKeepsThePreviousCheckpoint(@TempDir Path dir)
            throws Exception {
        Path run = dir.resolve("run");
        Path checkpoints = Checkpoints.dirOf(run);
        Files.createDirectories(checkpoints);
        // a read-only bind mount of the checkpoint directory onto itself (the metrics file beside it stays open)
        assumeTrue(run(List.of("mount", "--bind", checkpoints.toString(), checkpoints.toString())),
                "bind mounts are not allowed here");
        try {
            Trainer t = trainer(run, 20, 2);
            t.addCallback(new TrainerCallback() {
                @Override
                public void afterStep(Trainer trainer, StepResult r) {
                    if (trainer.step() == 5) { // after the checkpoints of steps 2 and 4
                        assertTrue(run(List.of("mount", "-o", "remount,bind,ro", checkpoints.toString())),
                                "remount read-only");
                    }
                }
            });
            UncheckedIOException e = assertThrows(UncheckedIOException.class, t::fit);
            assertTrue(e.getMessage().contains("could not write checkpoint at step 6") && e.getMessage()
                    .contains("Read-only file system"), e.getMessage());
            List<Path> left = assertIntact(run, e);
            assertEquals("step-000000004", left.getLast().getFileName().toString());
        } finally {
            unmount(checkpoints);
        }
    }

    /** Every listed checkpoint loads, at least one exists, and no staging leftovers are visible. */
    private static List<Path> assertIntact(Path run, Exception cause) throws IOException {
        List<Path> left = Checkpoints.list(run);
        assertFalse(left.isEmpty(), "no checkpoint survived: " + cause);
        for (Path c : left) {
            Checkpoints.Loaded l = Checkpoints.load(c);
            assertEquals(Long.parseLong(c.getFileName().toString().substring(5)), l.trainer().get("step").asLong());
        }
        try (var s = Files.list(Checkpoints.dirOf(run))) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".staging-"))
                    .toList(), "staging directories left behind");
        }
        return left;
    }

    private static Trainer trainer(Path run, int width, int checkpointEvery) {
        Rng rng = new Rng(3);
        Module m = new Sequential(new Linear(6, width, rng), new ReLU(), new Linear(width, 3, rng));
        DataLoader l = TrainerTest.loader(8, false);
        return TrainerTest.trainer(m, l, new TrainPlan(20, 1, null, null, false, checkpointEvery, false, 10, 3, null),
                run);
    }

    private static boolean mount(Path at, String options) throws IOException {
        Files.createDirectories(at);
        return run(List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString()));
    }

    private static void unmount(Path at) {
        run(List.of("umount", "--lazy", at.toString())); // lazy: detach even while a descriptor is still open
    }

    private static boolean run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
