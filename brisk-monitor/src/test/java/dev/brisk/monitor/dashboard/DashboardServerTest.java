package dev.brisk.monitor.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard server over plain HTTP: the page, the run list, live events, and nothing outside the runs. */
class DashboardServerTest {

    static final String SECRET = "do-not-serve-this";

    @TempDir
    Path tmp;
    Path run;
    DashboardServer server;

    @BeforeEach
    void start() throws Exception {
        run = Files.createDirectories(tmp.resolve("runs/run-a"));
        Files.writeString(run.resolve("metrics.jsonl"), """
                {"step":1,"epoch":0,"loss":2.3,"lr":0.001}
                {"step":2,"epoch":0,"loss":2.1,"lr":0.001}
                """);
        Files.writeString(run.resolve("report.txt"), "efficiency over 2 steps\n");
        Files.createDirectories(run.resolve("sub"));
        Files.writeString(tmp.resolve("runs/secret.txt"), SECRET);
        Files.writeString(tmp.resolve("secret.txt"), SECRET);
        server = new DashboardServer(List.of(run), "127.0.0.1", 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesThePageItsScriptsAndTheRunList() throws Exception {
        Http.Response page = Http.request(server.port(), "GET", "/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("/static/uPlot.iife.min.js"));
        Http.Response lib = Http.request(server.port(), "GET", "/static/uPlot.iife.min.js");
        assertEquals(200, lib.status());
        assertTrue(lib.body().contains("uPlot"));
        assertEquals(200, Http.request(server.port(), "GET", "/static/dashboard.js").status());
        assertEquals(404, Http.request(server.port(), "GET", "/static/index.html.bak").status());
        JsonNode runs = new ObjectMapper().readTree(Http.request(server.port(), "GET", "/api/runs").body());
        assertEquals(1, runs.size());
        assertEquals("run-a", runs.get(0).path("name").asText());
        assertEquals("efficiency over 2 steps\n", Http.request(server.port(), "GET", "/runs/0/report.txt").body());
    }

    @Test
    void eventsReplayTheFileAndFollowWhatIsAppended() throws Exception {
        try (Http.Events ev = new Http.Events(server.port(), "/api/runs/0/events")) {
            assertEquals(1, new ObjectMapper().readTree(ev.next()).path("step").asInt());
            assertEquals(2, new ObjectMapper().readTree(ev.next()).path("step").asInt());
            Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":3,\"loss\":1.9}\n{\"kind\":\"eval\",\"st",
                    StandardOpenOption.APPEND);
            assertEquals(3, new ObjectMapper().readTree(ev.next()).path("step").asInt());
            Files.writeString(run.resolve("metrics.jsonl"), "ep\":3,\"eval_accuracy\":0.5}\n",
                    StandardOpenOption.APPEND);
            JsonNode eval = new ObjectMapper().readTree(ev.next());
            assertEquals(0.5, eval.path("eval_accuracy").asDouble(), "a line written in two parts arrives whole");
        }
    }

    @Test
    void refusesEveryPathOutOfTheRunDirectory() throws Exception {
        Files.createSymbolicLink(run.resolve("link.txt"), tmp.resolve("secret.txt"));
        for (String target : List.of("/runs/0/../secret.txt", "/runs/0/%2e%2e/secret.txt",
                "/runs/0/..%2fsecret.txt", "/runs/0/sub/../../secret.txt", "/runs/0//etc/passwd",
                "/runs/0/%2Fetc%2Fpasswd", "/runs/0/link.txt", "/runs/0/..%5csecret.txt",
                "/static/../../../../secret.txt", "/runs/0/./report.txt")) {
            Http.Response r = Http.request(server.port(), "GET", target);
            assertNotEquals(200, r.status(), target);
            assertFalse(r.body().contains(SECRET), target);
            assertTrue(r.status() == 403 || r.status() == 404 || r.status() == 400, target + " " + r.status());
        }
        assertEquals(403, Http.request(server.port(), "GET", "/runs/0/../secret.txt").status());
        assertEquals(403, Http.request(server.port(), "GET", "/runs/0/link.txt").status());
        assertEquals(404, Http.request(server.port(), "GET", "/runs/1/report.txt").status(), "no run 1");
    }

    @Test
    void isReadOnly() throws Exception {
        for (String m : List.of("POST", "PUT", "DELETE")) {
            assertEquals(405, Http.request(server.port(), m, "/runs/0/report.txt").status(), m);
        }
        assertTrue(Files.exists(run.resolve("report.txt")));
    }

    @Test
    void needsExistingRunDirectories() {
        assertThrows(IllegalArgumentException.class,
                () -> new DashboardServer(List.of(tmp.resolve("missing")), "127.0.0.1", 0));
    }
}
