package dev.brisk.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts the ranks of a benchmark as JVMs on this host (this JVM's {@code java}, class path, {@code --add-modules}
 * and native-access flags), with the environment {@link DistEnv} reads: a free loopback port, a fresh token. Each
 * rank's output is echoed with a {@code [rank r]} prefix, except the line that starts with the result marker,
 * which is returned. Bounded: a rank still running after 10 minutes, or one that exits non-zero, is an error.
 */
public final class LocalRanks {

    private LocalRanks() {
    }

    /**
     * Runs {@code nproc} ranks of {@code main} with {@code args}; {@code jvmArgs} and {@code env} are added to
     * every rank's; {@code echo} receives the other lines. Returns rank 0's (the last) line starting with
     * {@code marker}, marker removed.
     */
    public static String run(int nproc, List<String> jvmArgs, Class<?> main, List<String> args, Map<String, String> env,
                             String jobId, String marker, PrintStream echo) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        AtomicReference<String> result = new AtomicReference<>();
        try {
            for (int r = 0; r < nproc; r++) {
                List<String> cmd = new ArrayList<>(List.of(java));
                for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                    if (a.startsWith("--add-modules") || a.startsWith("--enable-native-access")) {
                        cmd.add(a);
                    }
                }
                cmd.addAll(jvmArgs);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                Map<String, String> e = pb.environment();
                e.put("RANK", Integer.toString(r));
                e.put("WORLD_SIZE", Integer.toString(nproc));
                e.put("LOCAL_RANK", Integer.toString(r));
                e.put("BRISK_MASTER_ADDR", "127.0.0.1");
                e.put("BRISK_MASTER_PORT", Integer.toString(port));
                e.put("BRISK_DIST_TOKEN", token);
                e.put("BRISK_DIST_TIMEOUT", "120");
                e.put("BRISK_JOB_ID", jobId);
                e.putAll(env);
                Process p = pb.start();
                procs.add(p);
                int rank = r;
                pumps.add(Thread.ofPlatform().daemon().name("brisk-ranks-pump-" + r)
                        .start(() -> pump(p, rank, marker, result, echo)));
            }
            for (int r = 0; r < nproc; r++) {
                if (!procs.get(r).waitFor(10, TimeUnit.MINUTES)) {
                    throw new IOException(jobId + " rank " + r + " did not finish within 10 minutes");
                }
            }
            for (Thread t : pumps) {
                t.join(5_000);
            }
            for (int r = 0; r < nproc; r++) {
                if (procs.get(r).exitValue() != 0) {
                    throw new IOException(jobId + " rank " + r + " exited with " + procs.get(r).exitValue());
                }
            }
        } finally {
            procs.forEach(Process::destroyForcibly);
        }
        String line = result.get();
        if (line == null) {
            throw new IOException(jobId + " rank 0 printed no result");
        }
        return line.substring(marker.length());
    }

    private static void pump(Process p, int rank, String marker, AtomicReference<String> result, PrintStream echo) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith(marker)) {
                    result.set(line);
                } else {
                    echo.println("[rank " + rank + "] " + line);
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }
}
