package dev.brisk.dist.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts a data-parallel job on this host, as {@code torchrun --standalone}: {@code nproc} JVMs running the same
 * main class, each told its place through the environment that {@link dev.brisk.dist.DistEnv} reads:
 * {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}, {@code BRISK_MASTER_ADDR}
 * (loopback), {@code BRISK_MASTER_PORT} (a free port, or {@code --master-port}), {@code BRISK_DIST_TOKEN} (a random
 * secret per job), {@code BRISK_JOB_ID}, {@code BRISK_GENERATION} (0, then +1 per restart) and
 * {@code BRISK_MAX_RESTARTS}; {@code BRISK_THREADS} (kernel threads) defaults to the cores divided among the
 * workers. Workers run the launcher's own java, class path and JVM flags (a debugger agent excepted).
 *
 * <p>Every line a worker prints is prefixed with {@code [rank r] } (stdout to stdout, stderr to stderr). When a
 * worker exits with a non-zero status, the others are stopped (SIGTERM, then a forced kill after a grace period)
 * and, while restarts remain ({@code --max-restarts}, default 0), all are started again with the next generation;
 * workers are expected to resume from their latest checkpoint. The launcher's exit status is 0 when every worker
 * of a generation exits 0, else the first failing worker's status (or 1). If the launcher itself is terminated,
 * a shutdown hook stops the workers.
 */
public final class Launcher {

    /** Usage, for the CLI's help. */
    public static final String USAGE = "launch --nproc N [--master-port P] [--max-restarts K] -- COMMAND [ARGS...]";

    /**
     * A job.
     *
     * @param nproc       workers (ranks)
     * @param masterPort  the rendezvous port, or 0 for a free one (chosen again for each generation)
     * @param maxRestarts how many times a failed job is restarted
     * @param mainClass   the class every worker runs
     * @param args        its arguments
     * @param java        the java executable
     * @param jvmFlags    JVM options placed before {@code -cp}
     * @param classPath   the workers' class path
     * @param env         extra environment variables (they override the launcher's own)
     * @param stopGrace   how long a stopped worker gets to exit before it is killed
     * @param out         where workers' stdout lines (prefixed) and the launcher's messages go
     * @param err         where workers' stderr lines (prefixed) go
     */
    public record Config(int nproc, int masterPort, int maxRestarts, String mainClass, List<String> args, String java,
                         List<String> jvmFlags, String classPath, Map<String, String> env, Duration stopGrace,
                         PrintStream out, PrintStream err) {

        public Config {
            if (nproc < 1) {
                throw new IllegalArgumentException("--nproc must be at least 1, got " + nproc);
            }
            if (masterPort < 0 || masterPort > 65535) {
                throw new IllegalArgumentException("--master-port must be in [1, 65535] (or 0 for a free port), got "
                        + masterPort);
            }
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("--max-restarts must be >= 0, got " + maxRestarts);
            }
            Objects.requireNonNull(mainClass, "mainClass");
            args = List.copyOf(args);
            Objects.requireNonNull(java, "java");
            jvmFlags = List.copyOf(jvmFlags);
            Objects.requireNonNull(classPath, "classPath");
            env = Map.copyOf(env);
            Objects.requireNonNull(stopGrace, "stopGrace");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(err, "err");
        }

        /** A job running {@code mainClass args} with this JVM's java, class path and flags. */
        public static Config of(int nproc, int masterPort, int maxRestarts, String mainClass, List<String> args) {
            return new Config(nproc, masterPort, maxRestarts, mainClass, args, currentJava(), currentJvmFlags(),
                    System.getProperty("java.class.path"), Map.of(), Duration.ofSeconds(10), System.out, System.err);
        }

        public Config withJvm(String javaExe, List<String> flags, String cp) {
            return new Config(nproc, masterPort, maxRestarts, mainClass, args, javaExe, flags, cp, env, stopGrace, out,
                    err);
        }

        public Config withEnv(Map<String, String> extra) {
            return new Config(nproc, masterPort, maxRestarts, mainClass, args, java, jvmFlags, classPath, extra,
                    stopGrace, out, err);
        }

        public Config withOutput(PrintStream o, PrintStream e) {
            return new Config(nproc, masterPort, maxRestarts, mainClass, args, java, jvmFlags, classPath, env,
                    stopGrace, o, e);
        }

        public Config withStopGrace(Duration grace) {
            return new Config(nproc, masterPort, maxRestarts, mainClass, args, java, jvmFlags, classPath, env, grace,
                    out, err);
        }
    }

    private Launcher() {
    }

    /**
     * Parses {@code --nproc N [--master-port P] [--max-restarts K] -- ARGS...} (also {@code --opt=value}) and runs
     * {@code mainClass ARGS...} in N workers; returns the exit status (2 for a usage error, printed to stderr).
     * The CLI calls {@code System.exit(Launcher.launch(Main.class.getName(), rest))}.
     */
    public static int launch(String mainClass, String... argv) {
        Config c;
        try {
            c = parse(mainClass, argv);
        } catch (IllegalArgumentException e) {
            System.err.println("brisk launch: " + e.getMessage());
            System.err.println("usage: brisk " + USAGE);
            return 2;
        }
        return run(c);
    }

    /** The job that {@code argv} describes, with this JVM's java, class path and flags. */
    public static Config parse(String mainClass, String... argv) {
        Integer nproc = null;
        int port = 0;
        int restarts = 0;
        int i = 0;
        for (; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--nproc", "--nproc-per-node", "--nproc_per_node" -> {
                    if (value == null) {
                        value = next(argv, ++i, name);
                    }
                    nproc = integer(name, value);
                }
                case "--master-port", "--master_port" -> {
                    if (value == null) {
                        value = next(argv, ++i, name);
                    }
                    port = integer(name, value);
                    if (port < 1) {
                        throw new IllegalArgumentException("--master-port must be in [1, 65535], got " + port);
                    }
                }
                case "--max-restarts", "--max_restarts" -> {
                    if (value == null) {
                        value = next(argv, ++i, name);
                    }
                    restarts = integer(name, value);
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (the command to run goes "
                        + "after '--')");
            }
        }
        if (nproc == null) {
            throw new IllegalArgumentException("--nproc N is required");
        }
        List<String> rest = List.of(argv).subList(Math.min(i, argv.length), argv.length);
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("no command: put it after '--', e.g. -- train config.yaml");
        }
        return Config.of(nproc, port, restarts, mainClass, rest);
    }

    private static String next(String[] argv, int i, String name) {
        if (i >= argv.length || argv[i].equals("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return argv[i];
    }

    private static int integer(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }

    static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This JVM's options, minus a debugger agent (its port would clash) and the class path. */
    static List<String> currentJvmFlags() {
        List<String> out = new ArrayList<>();
        for (String f : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (f.startsWith("-agentlib:jdwp") || f.startsWith("-Xrunjdwp") || f.startsWith("-Djava.class.path=")) {
                continue;
            }
            out.add(f);
        }
        return out;
    }

    // ---- running ------------------------------------------------------------------------------------------------

    private record Exit(int rank, int status) {
    }

    /** One generation's workers and their output pumps. */
    private static final class Generation {
        final List<Process> procs = new ArrayList<>();
        final List<Thread> pumps = new ArrayList<>();
        final LinkedBlockingQueue<Exit> exits = new LinkedBlockingQueue<>();
    }

    /** Runs the job; returns its exit status. */
    public static int run(Config c) {
        String token = HexFormat.of().formatHex(randomBytes(24));
        String jobId = System.getenv().getOrDefault("BRISK_JOB_ID", "brisk-" + HexFormat.of().formatHex(randomBytes(4)));
        Generation[] current = new Generation[1];
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            Generation g;
            synchronized (current) {
                g = current[0];
            }
            if (g != null) {
                stopAll(g, c.stopGrace());
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int gen = 0; ; gen++) {
                int port = c.masterPort() > 0 ? c.masterPort() : freePort();
                c.out().println("[launcher] generation " + gen + ": starting " + c.nproc() + " worker"
                        + (c.nproc() == 1 ? "" : "s") + " (master 127.0.0.1:" + port + ", job " + jobId + ")");
                Generation g = new Generation();
                synchronized (current) {
                    current[0] = g;
                }
                Exit failure;
                try {
                    start(c, g, gen, port, token, jobId);
                    failure = monitor(g, c.nproc());
                } catch (IOException e) {
                    c.out().println("[launcher] could not start a worker: " + e.getMessage());
                    stopAll(g, c.stopGrace());
                    return 1;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopAll(g, c.stopGrace());
                    return 130;
                }
                if (failure == null) {
                    drain(g);
                    c.out().println("[launcher] all " + c.nproc() + " workers finished (generation " + gen + ")");
                    return 0;
                }
                stopAll(g, c.stopGrace());
                drain(g);
                String cause = "rank " + failure.rank() + " exited with status " + failure.status()
                        + " (generation " + gen + ")";
                if (gen < c.maxRestarts()) {
                    c.out().println("[launcher] " + cause + "; stopped the others; restart " + (gen + 1) + " of "
                            + c.maxRestarts());
                } else {
                    c.out().println("[launcher] " + cause + "; stopped the others; "
                            + (c.maxRestarts() == 0 ? "no restarts allowed (--max-restarts 0)"
                            : "restarts exhausted (" + c.maxRestarts() + ")") + ": giving up");
                    return failure.status() != 0 ? failure.status() : 1;
                }
            }
        } finally {
            synchronized (current) {
                current[0] = null;
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or will run: fine
            }
        }
    }

    private static void start(Config c, Generation g, int gen, int port, String token, String jobId)
            throws IOException {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / c.nproc());
        for (int r = 0; r < c.nproc(); r++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(c.java());
            cmd.addAll(c.jvmFlags());
            cmd.add("-cp");
            cmd.add(c.classPath());
            cmd.add(c.mainClass());
            cmd.addAll(c.args());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Map<String, String> env = pb.environment();
            Map<String, String> ours = new LinkedHashMap<>();
            ours.put("RANK", Integer.toString(r));
            ours.put("WORLD_SIZE", Integer.toString(c.nproc()));
            ours.put("LOCAL_RANK", Integer.toString(r));
            ours.put("LOCAL_WORLD_SIZE", Integer.toString(c.nproc()));
            ours.put("BRISK_MASTER_ADDR", "127.0.0.1");
            ours.put("BRISK_MASTER_PORT", Integer.toString(port));
            ours.put("BRISK_DIST_TOKEN", token);
            ours.put("BRISK_JOB_ID", jobId);
            ours.put("BRISK_GENERATION", Integer.toString(gen));
            ours.put("BRISK_MAX_RESTARTS", Integer.toString(c.maxRestarts()));
            if (!env.containsKey("BRISK_THREADS")) {
                ours.put("BRISK_THREADS", Integer.toString(threads));
            }
            env.putAll(ours);
            env.putAll(c.env());
            Process p = pb.start();
            int rank = r;
            g.procs.add(p);
            p.getOutputStream().close();
            g.pumps.add(pump(p.getInputStream(), "[rank " + rank + "] ", c.out(), "stdout", rank));
            g.pumps.add(pump(p.getErrorStream(), "[rank " + rank + "] ", c.err(), "stderr", rank));
            p.onExit().thenAccept(done -> g.exits.add(new Exit(rank, done.exitValue())));
        }
    }

    private static Thread pump(InputStream in, String prefix, PrintStream to, String what, int rank) {
        return Thread.ofPlatform().daemon().name("brisk-launch-" + what + "-r" + rank).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    to.println(prefix + line);
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
        });
    }

    /** Waits until every worker exited 0 (returns null) or one exited non-zero (returns it). */
    private static Exit monitor(Generation g, int n) throws InterruptedException {
        int ok = 0;
        while (ok < n) {
            Exit e = g.exits.take();
            if (e.status() != 0) {
                return e;
            }
            ok++;
        }
        return null;
    }

    /** SIGTERM to every live worker and its descendants; after the grace period, a forced kill. */
    private static void stopAll(Generation g, Duration grace) {
        for (Process p : g.procs) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process p : g.procs) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lets the pumps print what the workers wrote last (bounded). */
    private static void drain(Generation g) {
        for (Thread t : g.pumps) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int freePort() throws IllegalStateException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
