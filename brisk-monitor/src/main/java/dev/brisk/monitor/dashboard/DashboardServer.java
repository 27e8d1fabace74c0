package dev.brisk.monitor.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The live dashboard: a read-only HTTP server (the JDK's) for one or more run directories. It serves the page and
 * its scripts from the jar (uPlot for the charts, nothing from the network), the list of runs, each run's
 * metrics.jsonl as server-sent events that follow the file as training appends to it, and the files of the run
 * directories (report.txt, report.json, trace.json). Nothing outside those directories is served: a path that
 * climbs out of a run directory (.., encoded or not, or a symbolic link leading out) gets 403.
 *
 * <pre>
 * GET /                          the page
 * GET /static/NAME               the page's scripts and styles (a fixed list)
 * GET /api/runs                  [{"id": 0, "name": ..., "dir": ..., "finished": bool}, ...]
 * GET /api/runs/ID/events        text/event-stream: one event per metrics.jsonl line ("id:" is the byte offset
 *                                after it, so a reconnecting browser resumes with Last-Event-ID)
 * GET /runs/ID/PATH              a file of run ID
 * </pre>
 */
public final class DashboardServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "/dev/brisk/monitor/dashboard/";
    private static final Map<String, String> STATIC = Map.of(
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8",
            "uPlot.iife.min.js", "text/javascript; charset=utf-8",
            "uPlot.min.css", "text/css; charset=utf-8",
            "uPlot.LICENSE", "text/plain; charset=utf-8");
    /**
     * How often an event stream looks for new lines. Sending costs the dashboard far more than looking (a poll that
     * finds nothing is one stat), so lines are batched: the page redraws at most once a second anyway.
     */
    static final long TAIL_MILLIS = 1000;
    /** A comment line this often keeps idle connections open and notices closed ones. */
    static final long KEEPALIVE_MILLIS = 10_000;
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEPALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final List<Path> runs;
    private final HttpServer server;
    private final ExecutorService pool;
    private volatile boolean closing;

    /**
     * @param host usually 127.0.0.1: the dashboard is for this machine
     * @param port 0 for any free port
     */
    public DashboardServer(List<Path> runDirs, String host, int port) throws IOException {
        if (runDirs.isEmpty()) {
            throw new IllegalArgumentException("the dashboard needs at least one run directory");
        }
        List<Path> real = new ArrayList<>();
        for (Path d : runDirs) {
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException(d + " is not a directory");
            }
            real.add(d.toRealPath());
        }
        this.runs = List.copyOf(real);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/";
    }

    @Override
    public void close() {
        closing = true;
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain", "read-only: only GET and HEAD\n");
                return;
            }
            String raw = ex.getRequestURI().getRawPath();
            String path = ex.getRequestURI().getPath();
            if (raw.contains("%2f") || raw.contains("%2F") || raw.contains("%5c") || raw.contains("%5C")
                    || path.contains("\\") || path.contains("\0")) {
                send(ex, 403, "text/plain", "forbidden\n");
                return;
            }
            if (path.equals("/") || path.equals("/index.html")) {
                sendResource(ex, "index.html", "text/html; charset=utf-8");
            } else if (path.startsWith("/static/")) {
                String name = path.substring("/static/".length());
                if (STATIC.containsKey(name)) {
                    sendResource(ex, name, STATIC.get(name));
                } else {
                    send(ex, 404, "text/plain", "not found\n");
                }
            } else if (path.equals("/api/runs")) {
                send(ex, 200, "application/json", JSON.writeValueAsString(runList()));
            } else if (path.startsWith("/api/runs/") && path.endsWith("/events")) {
                Integer id = runId(path.substring("/api/runs/".length(), path.length() - "/events".length()));
                if (id == null) {
                    send(ex, 404, "text/plain", "no such run\n");
                } else {
                    stream(ex, runs.get(id).resolve("metrics.jsonl"));
                }
            } else if (path.startsWith("/runs/")) {
                serveRunFile(ex, path.substring("/runs/".length()));
            } else {
                send(ex, 404, "text/plain", "not found\n");
            }
        }
    }

    private ArrayNode runList() {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < runs.size(); i++) {
            ObjectNode o = a.addObject();
            o.put("id", i);
            o.put("name", runs.get(i).getFileName().toString());
            o.put("dir", runs.get(i).toString());
            o.put("finished", Files.exists(runs.get(i).resolve("report.json")));
        }
        return a;
    }

    private Integer runId(String text) {
        try {
            int id = Integer.parseInt(text);
            return id >= 0 && id < runs.size() ? id : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code ID/PATH}: a regular file inside run ID, or 403 for anything that leads out of it. */
    private void serveRunFile(HttpExchange ex, String rest) throws IOException {
        int slash = rest.indexOf('/');
        Integer id = slash < 0 ? null : runId(rest.substring(0, slash));
        if (id == null) {
            send(ex, 404, "text/plain", "no such run\n");
            return;
        }
        String rel = rest.substring(slash + 1);
        for (String segment : rel.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                send(ex, 403, "text/plain", "forbidden\n");
                return;
            }
        }
        Path root = runs.get(id);
        Path file = root.resolve(rel).normalize();
        if (rel.isEmpty() || rel.startsWith("/") || !file.startsWith(root)) {
            send(ex, 403, "text/plain", "forbidden\n");
            return;
        }
        if (!Files.isRegularFile(file)) {
            send(ex, 404, "text/plain", "not found\n");
            return;
        }
        if (!file.toRealPath().startsWith(root)) { // a symbolic link leading out
            send(ex, 403, "text/plain", "forbidden\n");
            return;
        }
        String name = file.getFileName().toString();
        String type = name.endsWith(".json") || name.endsWith(".jsonl") ? "application/json"
                : name.endsWith(".png") ? "image/png" : "text/plain; charset=utf-8";
        ex.getResponseHeaders().set("Content-Type", type);
        long size = Files.size(file);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(200, head ? -1 : size == 0 ? -1 : size);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                Files.copy(file, out);
            }
        }
    }

    /**
     * Server-sent events: every complete line of {@code metrics}, then the lines appended later. The file is
     * followed by a {@link MetricsTail} (a stat per poll, only new bytes read) and each line is copied into its
     * event as it is, without parsing or re-encoding.
     */
    private void stream(HttpExchange ex, Path metrics) throws IOException {
        long offset = 0;
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        if (last != null) {
            try {
                offset = Math.max(0, Long.parseLong(last.trim()));
            } catch (NumberFormatException ignored) {
                offset = 0;
            }
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        if (ex.getRequestMethod().equals("HEAD")) {
            return;
        }
        OutputStream out = ex.getResponseBody();
        out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        MetricsTail tail = new MetricsTail(metrics, offset);
        ByteArrayOutputStream events = new ByteArrayOutputStream(4096);
        MetricsTail.LineReceiver toEvent = (bytes, start, length, after) -> {
            events.write(ID);
            events.write(Long.toString(after).getBytes(StandardCharsets.US_ASCII));
            events.write(DATA);
            events.write(bytes, start, length);
            events.write(END);
        };
        long quietSince = System.currentTimeMillis();
        try {
            while (!closing) {
                events.reset();
                int lines = tail.poll(toEvent);
                long now = System.currentTimeMillis();
                if (lines > 0) {
                    events.writeTo(out);
                    out.flush();
                    quietSince = now;
                } else if (now - quietSince >= KEEPALIVE_MILLIS) {
                    out.write(KEEPALIVE); // fails once the browser has gone
                    out.flush();
                    quietSince = now;
                }
                Thread.sleep(TAIL_MILLIS);
            }
        } catch (IOException | InterruptedException e) {
            // the browser closed the page, or the server is stopping
        }
    }

    private void sendResource(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                send(ex, 404, "text/plain", "not found\n");
                return;
            }
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                ex.getResponseBody().write(body);
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type.contains("charset") ? type : type + "; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : b.length);
        if (!head) {
            ex.getResponseBody().write(b);
        }
    }
}
