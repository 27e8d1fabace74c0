package dev.brisk.monitor.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A hyperparameter search: up to {@code trials} trials, {@code parallel} at a time, each a normal training run in
 * {@code DIR/trial-NNNN}. The search follows each trial's metrics.jsonl; after every evaluation the pruner may stop
 * it. {@code DIR/trials.jsonl} gets a {@code "running"} record when a trial starts and a final record (complete,
 * pruned or failed, with its metric and curve) when it ends; a search started again on the same directory keeps the
 * finished trials and re-runs the interrupted ones with their recorded parameters. A failed trial (non-zero exit,
 * or no evaluation of the metric) is recorded and the search goes on.
 */
public final class Search {

    public static final String TRIALS_FILE = "trials.jsonl";
    public static final String SUMMARY_FILE = "summary.txt";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How many trials, how many at once, what to optimise, the seed of the samplers' per-trial draws. */
    public record Options(int trials, int parallel, Goal goal, long seed, long pollMillis) {
        public Options {
            if (trials < 1 || parallel < 1) {
                throw new IllegalArgumentException("--trials and --parallel must be ≥ 1, got " + trials + ", "
                        + parallel);
            }
        }
    }

    private final SearchSpace space;
    private final Sampler sampler;
    private final Pruner pruner;
    private final TrialRunner runner;
    private final Path dir;
    private final Options options;
    private final PrintStream console;
    private final List<Trial> finished = new ArrayList<>();
    private final Map<Integer, List<Double>> curves = new TreeMap<>();
    private volatile boolean stopping;

    public Search(SearchSpace space, Sampler sampler, Pruner pruner, TrialRunner runner, Path dir, Options options,
                  PrintStream console) {
        this.space = space;
        this.sampler = sampler;
        this.pruner = pruner;
        this.runner = runner;
        this.dir = dir;
        this.options = options;
        this.console = console;
    }

    /** One running trial. */
    private final class Running {
        final int id;
        final Map<String, Object> params;
        final TrialRunner.Handle handle;
        final long start = System.nanoTime();
        final Path metrics;
        long offset;
        final StringBuilder partial = new StringBuilder();

        Running(int id, Map<String, Object> params, TrialRunner.Handle handle) {
            this.id = id;
            this.params = params;
            this.handle = handle;
            this.metrics = dir.resolve(Trial.dirName(id)).resolve("metrics.jsonl");
        }

        /** Reads the metric of every new complete evaluation line. */
        List<Double> newValues() throws IOException {
            List<Double> out = new ArrayList<>();
            if (!Files.exists(metrics)) {
                return out;
            }
            try (RandomAccessFile f = new RandomAccessFile(metrics.toFile(), "r")) {
                if (f.length() <= offset) {
                    return out;
                }
                f.seek(offset);
                byte[] b = new byte[(int) (f.length() - offset)];
                f.readFully(b);
                offset += b.length;
                partial.append(new String(b, StandardCharsets.UTF_8));
            }
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl).trim();
                partial.delete(0, nl + 1);
                if (line.isEmpty()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                if ("eval".equals(n.path("kind").asText()) && n.path(options.goal().metric()).isNumber()) {
                    out.add(n.path(options.goal().metric()).asDouble());
                }
            }
            return out;
        }

        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Runs (or continues) the search and returns every finished trial in id order. */
    public List<Trial> run() throws IOException {
        Files.createDirectories(dir);
        Map<Integer, Map<String, Object>> interrupted = load();
        List<Running> running = new ArrayList<>();
        // on Ctrl-C / SIGTERM: stop the trials and record nothing more, so that they count as interrupted
        Thread cleanup = new Thread(() -> {
            stopping = true;
            List<Running> now;
            synchronized (running) {
                now = List.copyOf(running);
            }
            now.forEach(r -> r.handle.stop());
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            int next = 1;
            boolean exhausted = false;
            while (!stopping) {
                while (!exhausted && running.size() < options.parallel() && next <= options.trials()) {
                    int id = next++;
                    if (isFinished(id)) {
                        continue;
                    }
                    Map<String, Object> params = interrupted.containsKey(id) ? interrupted.get(id)
                            : sampler.sample(space, List.copyOf(finished), options.goal(), id,
                            trialRandom(options.seed(), id));
                    if (params == null) {
                        exhausted = true;
                        break;
                    }
                    synchronized (running) {
                        running.add(start(id, params));
                    }
                }
                if (running.isEmpty()) {
                    break;
                }
                synchronized (running) {
                    for (Iterator<Running> it = running.iterator(); it.hasNext() && !stopping; ) {
                        if (advance(it.next())) {
                            it.remove();
                        }
                    }
                }
                if (!running.isEmpty()) {
                    sleep(options.pollMillis());
                }
            }
        } finally {
            synchronized (running) {
                running.forEach(r -> r.handle.stop());
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down: the hook is running already
            }
        }
        finished.sort(Comparator.comparingInt(Trial::id));
        String summary = summary();
        Files.writeString(dir.resolve(SUMMARY_FILE), summary);
        if (console != null) {
            console.print(summary);
        }
        return List.copyOf(finished);
    }

    /**
     * The random source of trial {@code id}'s draws. The seed is mixed (SplitMix64's finaliser) because
     * java.util.Random's first outputs for neighbouring seeds are strongly correlated.
     */
    public static Random trialRandom(long seed, int id) {
        long z = seed * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    private boolean isFinished(int id) {
        return finished.stream().anyMatch(t -> t.id() == id);
    }

    private Running start(int id, Map<String, Object> params) throws IOException {
        Path runDir = dir.resolve(Trial.dirName(id));
        deleteTree(runDir); // an interrupted attempt's metrics would mix with the new ones
        ObjectNode o = JSON.createObjectNode();
        o.put("trial", id);
        o.put("status", "running");
        o.set("params", JSON.valueToTree(params));
        o.put("run_dir", Trial.dirName(id));
        append(o);
        curves.put(id, new ArrayList<>());
        if (console != null) {
            console.printf(Locale.ROOT, "trial %d: %s%n", id, String.join(" ", SearchSpace.toSets(params)));
        }
        try {
            return new Running(id, params, runner.start(runDir, SearchSpace.toSets(params)));
        } catch (IOException | RuntimeException e) {
            Running r = new Running(id, params, failedToStart(e));
            return r;
        }
    }

    /** Polls one trial; returns true when it has finished. */
    private boolean advance(Running r) throws IOException {
        r.handle.poll();
        boolean alive = r.handle.alive();
        for (double v : r.newValues()) {
            List<Double> c = curves.get(r.id);
            c.add(options.goal().score(v));
            if (alive && pruner.shouldStop(r.id, curves)) { // a trial that already ended is complete
                r.handle.stop();
                finish(r, Trial.Status.PRUNED, null);
                return true;
            }
        }
        if (alive) {
            return false;
        }
        r.newValues().forEach(v -> curves.get(r.id).add(options.goal().score(v)));
        if (r.handle.exitCode() == 130 || r.handle.exitCode() == 143) {
            stopping = true; // killed by SIGINT/SIGTERM (Ctrl-C reaches the trials first): the search is being stopped
            return true;
        }
        if (r.handle.exitCode() != 0) {
            finish(r, Trial.Status.FAILED, r.handle.failure());
        } else if (curves.get(r.id).isEmpty()) {
            finish(r, Trial.Status.FAILED, "no evaluation of " + options.goal().metric() + " in metrics.jsonl"
                    + " (is eval on?)");
        } else {
            finish(r, Trial.Status.COMPLETE, null);
        }
        return true;
    }

    private void finish(Running r, Trial.Status status, String error) throws IOException {
        if (stopping) {
            return; // stopped by the interruption, not by itself: it stays "running" and is re-run on resume
        }
        List<Double> scores = curves.get(r.id);
        List<Double> metric = scores.stream().map(s -> options.goal().maximize() ? s : -s).toList();
        double last = metric.isEmpty() ? Double.NaN : metric.getLast();
        Trial t = new Trial(r.id, r.params, status, last, metric, r.seconds(), error);
        finished.add(t);
        if (status == Trial.Status.FAILED) {
            curves.remove(r.id);
        }
        append(record(t));
        if (console != null) {
            console.printf(Locale.ROOT, "trial %d %s: %s %s after %d evaluations, %.1f s%s%n", t.id(),
                    status.key(), options.goal().metric(), Double.isNaN(last) ? "-" : String.format(Locale.ROOT,
                            "%.4f", last), metric.size(), t.seconds(), error == null ? "" : " (" + error + ")");
        }
    }

    private ObjectNode record(Trial t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("trial", t.id());
        o.put("status", t.status().key());
        o.set("params", JSON.valueToTree(t.params()));
        if (!Double.isNaN(t.metric())) {
            o.put("metric", t.metric());
        }
        o.put("metric_name", options.goal().metric());
        o.set("curve", JSON.valueToTree(t.curve()));
        o.put("seconds", t.seconds());
        o.put("run_dir", Trial.dirName(t.id()));
        if (t.error() != null) {
            o.put("error", t.error());
        }
        return o;
    }

    /** Reads trials.jsonl: finished trials go into the history; started-but-unfinished ones are returned. */
    private Map<Integer, Map<String, Object>> load() throws IOException {
        Map<Integer, Map<String, Object>> started = new LinkedHashMap<>();
        Path f = dir.resolve(TRIALS_FILE);
        if (!Files.exists(f)) {
            return started;
        }
        int lineNo = 0;
        for (String line : Files.readAllLines(f)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                if (lineNo == Files.readAllLines(f).size()) {
                    break; // a line cut short by an interruption
                }
                throw new IllegalArgumentException(f + " line " + lineNo + ": not JSON: " + e.getMessage());
            }
            int id = n.path("trial").asInt();
            Map<String, Object> params = new LinkedHashMap<>();
            for (var it = n.path("params").fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                params.put(e.getKey(), v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? v.asDouble()
                        : v.isBoolean() ? v.asBoolean() : v.asText());
            }
            String status = n.path("status").asText();
            if (status.equals("running")) {
                started.put(id, params);
                continue;
            }
            started.remove(id);
            List<Double> curve = new ArrayList<>();
            n.path("curve").forEach(v -> curve.add(v.asDouble()));
            Trial t = new Trial(id, params, Trial.Status.valueOf(status.toUpperCase(Locale.ROOT)),
                    n.path("metric").isNumber() ? n.path("metric").asDouble() : Double.NaN, curve,
                    n.path("seconds").asDouble(), n.path("error").isTextual() ? n.path("error").asText() : null);
            finished.removeIf(x -> x.id() == id);
            finished.add(t);
            if (t.status() != Trial.Status.FAILED) {
                curves.put(id, new ArrayList<>(curve.stream().map(options.goal()::score).toList()));
            }
        }
        if (console != null && (!finished.isEmpty() || !started.isEmpty())) {
            console.printf("resuming the search in %s: %d trials finished, %d to re-run%n", dir, finished.size(),
                    started.size());
        }
        return started;
    }

    private synchronized void append(ObjectNode o) throws IOException {
        Files.writeString(dir.resolve(TRIALS_FILE), JSON.writeValueAsString(o) + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** The trials best first (failed last), with the best one's overrides. */
    public String summary() {
        Goal g = options.goal();
        List<Trial> ranked = new ArrayList<>(finished);
        ranked.sort(Comparator.comparing((Trial t) -> t.status() == Trial.Status.FAILED)
                .thenComparing(Comparator.comparing((Trial t) -> t.status() != Trial.Status.COMPLETE))
                .thenComparing(Comparator.comparingDouble((Trial t) -> Double.isNaN(t.metric())
                        ? Double.POSITIVE_INFINITY : -g.score(t.metric()))));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-6s %-9s %14s %6s %9s  %s%n", "trial",
                "status", g.metric(), "evals", "seconds", "params"));
        for (Trial t : ranked) {
            b.append(String.format(Locale.ROOT, "%-6d %-9s %14s %6d %9.1f  %s%n", t.id(), t.status().key(),
                    Double.isNaN(t.metric()) ? "-" : String.format(Locale.ROOT, "%.4f", t.metric()),
                    t.curve().size(), t.seconds(), String.join(" ", SearchSpace.toSets(t.params()))));
        }
        ranked.stream().filter(t -> t.status() == Trial.Status.COMPLETE).findFirst().ifPresentOrElse(best -> {
            double total = finished.stream().mapToDouble(Trial::seconds).sum();
            b.append(String.format(Locale.ROOT, "best: trial %d, %s %.4f (%s, %.1f s of trials in all)%n",
                    best.id(), g.metric(), best.metric(), Trial.dirName(best.id()), total));
            StringBuilder sets = new StringBuilder();
            SearchSpace.toSets(best.params()).forEach(s -> sets.append(" --set ").append(s));
            b.append("train with:").append(sets).append('\n');
        }, () -> b.append("best: none (no trial completed)\n"));
        return b.toString();
    }

    /** The finished trials (after {@link #run()}). */
    public List<Trial> finished() {
        return List.copyOf(finished);
    }

    private static TrialRunner.Handle failedToStart(Exception e) {
        return new TrialRunner.Handle() {
            @Override
            public boolean alive() {
                return false;
            }

            @Override
            public int exitCode() {
                return -1;
            }

            @Override
            public void stop() {
            }

            @Override
            public String failure() {
                return "could not start: " + e.getMessage();
            }
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the search was interrupted", e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
