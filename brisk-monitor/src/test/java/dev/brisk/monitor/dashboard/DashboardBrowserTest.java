package dev.brisk.monitor.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless browser (Debian's chromium; skipped where none is installed): the charts draw the
 * run's records, a line appended to metrics.jsonl shows up without a reload, and a distributed run's per-rank
 * timings get their own charts. Leaves screenshots in target/dashboard.png and target/dashboard-ranks.png.
 */
class DashboardBrowserTest {

    static String stepLine(int step) {
        return String.format(Locale.ROOT, "{\"step\":%d,\"epoch\":0,\"loss\":%.4f,\"lr\":%.6f,\"grad_norm\":%.3f,"
                + "\"samples_per_s\":%.1f,\"step_ms\":%.2f,\"data_ms\":0.5,\"fwd_ms\":%.2f,\"bwd_ms\":%.2f,"
                + "\"comm_ms\":0.0,\"opt_ms\":0.8,\"mfu\":0.12,\"heap_bytes\":%d}%n", step, 2.3 * Math.exp(-step / 30.0)
                + 0.2, 0.001 * Math.min(1, step / 10.0), 1 + 0.5 * Math.sin(step / 5.0), 2000 + 10.0 * step, 12.0,
                4.0, 6.7, 200_000_000L + 1_000_000L * (step % 7));
    }

    @Test
    void chartsRenderTheRunAndFollowNewLines(@TempDir Path tmp) throws Exception {
        Path browser = Cdp.findBrowser();
        assumeTrue(browser != null, "no chromium on the PATH (apt-get install chromium)");
        Path run = Files.createDirectories(tmp.resolve("run-a"));
        StringBuilder lines = new StringBuilder();
        for (int s = 1; s <= 40; s++) {
            lines.append(stepLine(s));
            if (s % 10 == 0) {
                lines.append(String.format(Locale.ROOT, "{\"kind\":\"eval\",\"step\":%d,\"epoch\":0,\"eval_loss\":%.3f,"
                        + "\"eval_accuracy\":%.3f}%n", s, 1.0 - s / 100.0, 0.6 + s / 200.0));
            }
        }
        Files.writeString(run.resolve("metrics.jsonl"), lines);
        try (DashboardServer server = new DashboardServer(List.of(run), "127.0.0.1", 0);
             Cdp page = new Cdp(browser, Files.createDirectories(tmp.resolve("profile")))) {
            server.start();
            page.navigate(server.url());
            assertTrue(page.waitFor("window.briskDashboard !== undefined && briskDashboard.records() === 44", 60),
                    "every record arrives: " + page.eval("document.getElementById('status').textContent"));
            assertTrue(page.waitFor("briskDashboard.points('loss') === 40", 30));
            assertEquals(4, page.eval("briskDashboard.points('accuracy')").asInt(), "eval records: 4 points");
            assertEquals(40, page.eval("briskDashboard.points('step_time')").asInt());
            assertEquals(9, page.eval("document.querySelectorAll('.chart canvas').length").asInt(), "nine charts");
            // a chart canvas has been drawn on: some pixel is not blank
            assertTrue(page.eval("(() => { const c = document.querySelector('#chart-loss canvas');"
                    + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + " for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; })()")
                    .asBoolean(), "the loss chart is drawn");
            Files.writeString(run.resolve("metrics.jsonl"), stepLine(41), StandardOpenOption.APPEND);
            assertTrue(page.waitFor("briskDashboard.points('loss') === 41", 30), "the appended line is charted");
            assertEquals(45, page.eval("briskDashboard.records()").asInt());
            Path shot = Path.of("target", "dashboard.png");
            page.screenshot(shot);
            assertTrue(Files.size(shot) > 10_000, "a screenshot of the page");
        }
    }

    /** A step record of a 2-rank run: rank 1 computes longer, so rank 0 waits for it in communication. */
    static String rankLine(int step) {
        double comm0 = 3.0 + step % 3;
        return stepLine(step).replace("}" + System.lineSeparator(), String.format(Locale.ROOT,
                ",\"rank_step_ms\":[12.0,12.0],\"rank_data_ms\":[0.5,0.5],\"rank_comm_ms\":[%.1f,1.0],"
                        + "\"rank_comm_total_ms\":[%.1f,4.0]}%n", comm0, comm0 + 3));
    }

    @Test
    void aDistributedRunGetsPerRankCharts(@TempDir Path tmp) throws Exception {
        Path browser = Cdp.findBrowser();
        assumeTrue(browser != null, "no chromium on the PATH (apt-get install chromium)");
        Path run = Files.createDirectories(tmp.resolve("run-ddp"));
        StringBuilder lines = new StringBuilder();
        for (int s = 1; s <= 20; s++) {
            lines.append(rankLine(s));
        }
        Files.writeString(run.resolve("metrics.jsonl"), lines);
        try (DashboardServer server = new DashboardServer(List.of(run), "127.0.0.1", 0);
             Cdp page = new Cdp(browser, Files.createDirectories(tmp.resolve("profile")))) {
            server.start();
            page.navigate(server.url());
            assertTrue(page.waitFor("window.briskDashboard !== undefined && briskDashboard.records() === 20"
                    + " && briskDashboard.points('rank_comm') === 20", 60), "per-rank charts drawn: "
                    + page.eval("JSON.stringify(briskDashboard.charts())"));
            assertEquals(11, page.eval("document.querySelectorAll('.chart canvas').length").asInt(),
                    "nine charts and two per-rank ones");
            assertEquals("[\"rank 0\",\"rank 1\"]", page.eval("JSON.stringify(briskDashboard.series('rank_step'))")
                    .asText());
            assertEquals(20, page.eval("briskDashboard.points('rank_step')").asInt());
            // step 5: rank 0 waited 3 + 5 % 3 = 5 ms of its 12 ms step, rank 1 1 ms
            assertEquals(100 * 5.0 / 12, page.eval("briskDashboard.value('rank_comm', 1, 4)").asDouble(), 1e-9);
            assertEquals(100 * 1.0 / 12, page.eval("briskDashboard.value('rank_comm', 2, 4)").asDouble(), 1e-9);
            Files.writeString(run.resolve("metrics.jsonl"), rankLine(21), StandardOpenOption.APPEND);
            assertTrue(page.waitFor("briskDashboard.points('rank_step') === 21", 30), "the appended line is charted");
            page.screenshot(Path.of("target", "dashboard-ranks.png"));
        }
    }
}
