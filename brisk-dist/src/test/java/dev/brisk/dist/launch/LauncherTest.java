package dev.brisk.dist.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real worker JVMs started by the launcher: prefixed output, restarts, exhaustion. */
class LauncherTest {

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome launch(int maxRestarts, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Launcher.Config c = Launcher.Config.of(2, 0, maxRestarts, LaunchWorkerMain.class.getName(), List.of(args))
                .withJvm(Launcher.currentJava(), List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                        classPath())
                .withEnv(Map.of("BRISK_DIST_TIMEOUT", "20"))
                .withStopGrace(Duration.ofSeconds(5))
                .withOutput(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        int status = Launcher.run(c);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(60)
    void twoWorkersAllReduceAndTheJobSucceedsWithPrefixedOutput() {
        Outcome o = launch(0);
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("[rank 0] sum=3.0") && o.out().contains("[rank 1] sum=3.0"), o.out());
        assertTrue(o.out().contains("[rank 1] hello generation=0 world=2"), o.out());
        assertTrue(o.err().contains("[rank 0] bye") && o.err().contains("[rank 1] bye"), o.err());
    }

    @Test
    @Timeout(60)
    void aWorkerDyingInTheFirstGenerationIsRestartedWithTheOthers() {
        Outcome o = launch(1, "fail-first-generation");
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("[rank 1] dying"), o.out());
        assertTrue(o.out().contains("rank 1 exited with status 3 (generation 0)"), o.out());
        assertTrue(o.out().contains("[rank 0] hello generation=1") && o.out().contains("[rank 1] hello generation=1"),
                o.out());
        assertTrue(o.out().contains("[rank 0] sum=3.0") && o.out().contains("[rank 1] sum=3.0"), o.out());
    }

    @Test
    @Timeout(60)
    void withoutRestartsAFailedWorkerFailsTheJob() {
        Outcome o = launch(0, "fail-first-generation");
        assertEquals(3, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("giving up"), o.out());
        assertTrue(!o.out().contains("generation=1"), o.out());
    }

    @Test
    void parsesTheCommandLine() {
        Launcher.Config c = Launcher.parse("dev.brisk.cli.Main", "--nproc", "4", "--master-port=29555",
                "--max-restarts", "2", "--", "train", "--set", "x=1");
        assertEquals(4, c.nproc());
        assertEquals(29555, c.masterPort());
        assertEquals(2, c.maxRestarts());
        assertEquals("dev.brisk.cli.Main", c.mainClass());
        assertEquals(List.of("train", "--set", "x=1"), c.args());
        assertThrows(IllegalArgumentException.class, () -> Launcher.parse("M", "--", "train"));
        assertThrows(IllegalArgumentException.class, () -> Launcher.parse("M", "--nproc", "2"));
        assertThrows(IllegalArgumentException.class, () -> Launcher.parse("M", "--nproc", "0", "--", "x"));
        assertThrows(IllegalArgumentException.class, () -> Launcher.parse("M", "--bogus", "--", "x"));
    }
}
