package dev.brisk.dist.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A parameter server in real processes: three JVMs (one server, two workers) joined by {@link PsLinks#connect}
 * from the launcher's environment, over authenticated TCP links; every push reaches the server and the staleness
 * bound holds.
 */
class MultiProcessPsTest {

    @Test
    @Timeout(120)
    void oneServerAndTwoWorkerProcessesTrainTogether() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> procs = new ArrayList<>();
        try {
            for (int r = 0; r < 3; r++) {
                ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "--add-modules",
                        "jdk.incubator.vector", "-cp", cp, PsProcessMain.class.getName()).redirectErrorStream(true);
                pb.environment().put("RANK", Integer.toString(r));
                pb.environment().put("WORLD_SIZE", "3");
                pb.environment().put("BRISK_MASTER_ADDR", "127.0.0.1");
                pb.environment().put("BRISK_MASTER_PORT", Integer.toString(port));
                pb.environment().put("BRISK_DIST_TOKEN", "ps-process-test-token-0123456789");
                pb.environment().put("BRISK_DIST_TIMEOUT", "60");
                pb.environment().put("BRISK_JOB_ID", "ps-mp-test");
                procs.add(pb.start());
            }
            List<String> outs = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Process p = procs.get(r);
                assertTrue(p.waitFor(100, TimeUnit.SECONDS), "rank " + r + " hung");
                outs.add(read(p));
                assertEquals(0, p.exitValue(), "rank " + r + ": " + outs.get(r));
            }
            assertTrue(outs.get(0).contains("SERVED updates=60 "), outs.get(0));
            String lead = outs.get(0).replaceAll("(?s).*lead=(\\d+).*", "$1");
            assertTrue(Integer.parseInt(lead) <= 1, outs.get(0));
            assertTrue(outs.get(1).contains("TRAINED clock=30"), outs.get(1));
            assertTrue(outs.get(2).contains("TRAINED clock=30"), outs.get(2));
        } finally {
            procs.forEach(Process::destroyForcibly);
        }
    }

    private static String read(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
