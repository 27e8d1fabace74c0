package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real processes: three JVMs form a TCP group through the environment and all-reduce correctly; then rank 2 is
 * killed ({@code destroyForcibly}) in the middle of an all-reduce, and both survivors fail within the (short)
 * timeout with a {@link DistributedException} naming rank 2.
 */
class MultiProcessTest {

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    @Test
    @Timeout(60)
    void killingARankMidAllReduceFailsTheSurvivorsNamingIt() throws Exception {
        int p = 3;
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> procs = new ArrayList<>();
        List<List<String>> lines = new ArrayList<>();
        try {
            for (int r = 0; r < p; r++) {
                ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                        "--add-modules", "jdk.incubator.vector", "-cp", classPath(), DistWorkerMain.class.getName())
                        .redirectErrorStream(true);
                pb.environment().put("RANK", Integer.toString(r));
                pb.environment().put("WORLD_SIZE", Integer.toString(p));
                pb.environment().put("BRISK_MASTER_ADDR", "127.0.0.1");
                pb.environment().put("BRISK_MASTER_PORT", Integer.toString(port));
                pb.environment().put("BRISK_DIST_TOKEN", Ranks.TOKEN);
                pb.environment().put("BRISK_DIST_TIMEOUT", "4");
                pb.environment().put("BRISK_JOB_ID", "mp-test");
                Process proc = pb.start();
                procs.add(proc);
                List<String> out = new CopyOnWriteArrayList<>();
                lines.add(out);
                Thread.ofPlatform().daemon().start(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String l; (l = in.readLine()) != null; ) {
                            out.add(l);
                        }
                    } catch (java.io.IOException ignored) {
                        // process gone
                    }
                });
            }
            // all three agree on a known all-reduce, then loop; kill rank 2 while they are busy
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (!(lines.get(2).contains("ITER 3") && lines.get(0).contains("ITER 3"))) {
                for (int r = 0; r < p; r++) {
                    assertTrue(procs.get(r).isAlive() || lines.get(r).contains("ITER 3"),
                            "rank " + r + " exited early: " + lines.get(r));
                }
                assertTrue(System.nanoTime() < deadline, "ranks did not get going: " + lines);
                Thread.sleep(20);
            }
            for (int r = 0; r < p; r++) {
                assertTrue(lines.get(r).contains("CORRECT"), "rank " + r + ": " + lines.get(r));
            }
            long killed = System.nanoTime();
            procs.get(2).destroyForcibly();
            for (int r = 0; r < 2; r++) {
                assertTrue(procs.get(r).waitFor(15, TimeUnit.SECONDS), "rank " + r + " hung after the kill");
                double s = (System.nanoTime() - killed) / 1e9;
                assertEquals(3, procs.get(r).exitValue(), "rank " + r + ": " + tail(lines.get(r)));
                String failed = lines.get(r).stream().filter(l -> l.startsWith("FAILED")).findFirst().orElseThrow();
                assertTrue(failed.startsWith("FAILED rank=2 "), "rank " + r + " blamed the wrong rank: " + failed);
                assertTrue(failed.contains("rank 2"), failed);
                assertTrue(s < 4 + 6, "rank " + r + " took " + s + " s to fail (timeout 4 s)");
            }
        } finally {
            procs.forEach(Process::destroyForcibly);
        }
    }

    private static List<String> tail(List<String> l) {
        return l.subList(Math.max(0, l.size() - 5), l.size());
    }

    @Test
    @Timeout(60)
    void benchmarkReportsBusAndSocketBandwidth() throws Exception {
        for (boolean shm : new boolean[] {true, false}) {
            AllReduceBenchmark.Result r = AllReduceBenchmark.run(2, 1_000_000, 2, shm);
            assertTrue(r.busbwGBs() > 0 && r.socketGBs() > 0 && r.algbwGBs() > 0, r.toJson());
            assertEquals(r.algbwGBs(), r.busbwGBs(), 1e-3, "for p = 2, busbw = algbw");
            assertTrue(r.toJson().contains("\"busbw_gb_s\"") && r.toJson().contains("\"socket_gb_s\""), r.toJson());
            // two processes on one Linux host map a shared ring unless told not to
            assertEquals(shm && Files.isDirectory(Path.of("/dev/shm")) ? "shm" : "tcp", r.transport(), r.toJson());
        }
    }
}
