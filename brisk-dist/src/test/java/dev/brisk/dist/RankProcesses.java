package dev.brisk.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Test support: {@code p} JVMs running {@link DistWorkerMain} as the ranks of one job, with their output lines. */
final class RankProcesses implements AutoCloseable {

    final List<Process> procs = new ArrayList<>();
    final List<List<String>> lines = new ArrayList<>();

    RankProcesses(int p, int timeoutSeconds, String job, String... args) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int r = 0; r < p; r++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "--add-modules",
                    "jdk.incubator.vector", "-cp", MultiProcessTest.classPath(), DistWorkerMain.class.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("RANK", Integer.toString(r));
            pb.environment().put("WORLD_SIZE", Integer.toString(p));
            pb.environment().put("BRISK_MASTER_ADDR", "127.0.0.1");
            pb.environment().put("BRISK_MASTER_PORT", Integer.toString(port));
            pb.environment().put("BRISK_DIST_TOKEN", Ranks.TOKEN);
            pb.environment().put("BRISK_DIST_TIMEOUT", Integer.toString(timeoutSeconds));
            pb.environment().put("BRISK_JOB_ID", job);
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
                } catch (IOException ignored) {
                    // process gone
                }
            });
        }
    }

    /** Waits until rank {@code r} printed {@code line}; fails if it exits first or after {@code seconds}. */
    void await(int r, String line, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!lines.get(r).contains(line)) {
            if (!procs.get(r).isAlive() && !lines.get(r).contains(line)) {
                throw new AssertionError("rank " + r + " exited before '" + line + "': " + lines.get(r));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rank " + r + " did not print '" + line + "' in " + seconds + " s: "
                        + lines.get(r));
            }
            Thread.sleep(5);
        }
    }

    /** Sends a POSIX signal (STOP, CONT, KILL) to rank {@code r}. */
    void signal(int r, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(procs.get(r).pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " failed for rank " + r);
        }
    }

    /** The FAILED line of rank {@code r} after it exited (within {@code seconds}) with status 3. */
    String failure(int r, int seconds) throws InterruptedException {
        if (!procs.get(r).waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("rank " + r + " hung: " + tail(r));
        }
        if (procs.get(r).exitValue() != 3) {
            throw new AssertionError("rank " + r + " exited with " + procs.get(r).exitValue() + ": " + tail(r));
        }
        return lines.get(r).stream().filter(l -> l.startsWith("FAILED")).findFirst().orElseThrow();
    }

    List<String> tail(int r) {
        List<String> l = lines.get(r);
        return l.subList(Math.max(0, l.size() - 5), l.size());
    }

    @Override
    public void close() {
        for (Process p : procs) {
            try {
                new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException ignored) {
                // it is being destroyed anyway
            }
            p.destroyForcibly();
        }
    }
}
