package dev.brisk.cli;

import dev.brisk.monitor.dashboard.DashboardServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code brisk dashboard [RUN_DIR ...] [--port P]}: the live dashboard of runs, until interrupted. */
@Command(name = "dashboard", description = "Serve a live dashboard of one or more runs (default: the latest under "
        + "runs/) on 127.0.0.1; read-only.")
final class DashboardCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "RUN_DIR", description = "run directories (with metrics.jsonl)")
    List<Path> runDirs = new ArrayList<>();

    @Option(names = "--port", paramLabel = "P", description = "port (default 8050; 0 picks a free one)")
    int port = 8050;

    @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (default 127.0.0.1)")
    String host = "127.0.0.1";

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<Path> dirs = runDirs.isEmpty() ? List.of(latestRun()) : runDirs;
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new UsageException(d + " is not a directory");
            }
            if (!Files.exists(d.resolve("metrics.jsonl"))) {
                System.out.println("note: " + d + " has no metrics.jsonl yet; the dashboard will show it when it"
                        + " appears");
            }
        }
        DashboardServer server;
        try {
            server = new DashboardServer(dirs, host, port);
        } catch (java.net.BindException e) {
            throw new UsageException("--port " + port + ": " + e.getMessage() + " (pick another, or 0 for any)");
        }
        server.start();
        System.out.println("brisk dashboard: " + server.url() + " (" + dirs.size() + " run"
                + (dirs.size() == 1 ? "" : "s") + "; Ctrl-C to stop)");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    private static Path latestRun() throws IOException {
        Path runs = Path.of("runs");
        if (!Files.isDirectory(runs)) {
            throw new UsageException("no run directory given and no runs/ here");
        }
        try (var s = Files.list(runs)) {
            return s.filter(d -> Files.exists(d.resolve("metrics.jsonl")))
                    .max(Comparator.comparing(d -> d.resolve("metrics.jsonl").toFile().lastModified()))
                    .orElseThrow(() -> new UsageException("no run with a metrics.jsonl under runs/"));
        }
    }
}
