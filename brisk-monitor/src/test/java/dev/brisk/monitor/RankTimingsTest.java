package dev.brisk.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.data.DataLoader;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.dist.ThreadGroup;
import dev.brisk.dist.ddp.DistributedDataParallel;
import dev.brisk.nn.Module;
import dev.brisk.train.StepResult;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainerCallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A two-rank data-parallel run: rank 0's metrics records carry each rank's own step timings. */
class RankTimingsTest {

    private static final int WORLD = 2;

    @Test
    void rankZerosRecordsCarryEveryRanksOwnTimings(@TempDir Path dir) throws Exception {
        List<ThreadGroup> groups = ThreadGroup.create(WORLD, Duration.ofSeconds(20));
        List<Map<Long, StepResult>> seen = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        ExecutorService pool = Executors.newFixedThreadPool(WORLD);
        try {
            List<Future<?>> ranks = new ArrayList<>();
            for (int rank = 0; rank < WORLD; rank++) {
                int r = rank;
                ranks.add(pool.submit(() -> {
                    Module m = TinyRun.model();
                    try (DistributedDataParallel ddp = new DistributedDataParallel(m, groups.get(r));
                         DataLoader l = TinyRun.loader(Sampler.distributed(r, WORLD, false))) {
                        Trainer t = TinyRun.trainer(m, l, 7, r == 0 ? dir : null, 3, ddp);
                        t.addCallback(new TrainerCallback() {
                            @Override
                            public void afterStep(Trainer trainer, StepResult result) {
                                seen.get(r).put(result.step(), result);
                            }
                        });
                        RunMonitoring.attachToEveryRank(t, groups.get(r));
                        t.fit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : ranks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            groups.forEach(ThreadGroup::close);
        }
        ObjectMapper json = new ObjectMapper();
        List<Long> recorded = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            JsonNode o = json.readTree(line);
            if (o.has("kind")) {
                continue;
            }
            long step = o.path("step").asLong();
            recorded.add(step);
            for (String field : RankTimings.FIELDS) {
                assertEquals(WORLD, o.path(field).size(), field + " at step " + step + ": " + line);
            }
            for (int rank = 0; rank < WORLD; rank++) {
                StepResult own = seen.get(rank).get(step);
                assertClose(own.stepMs(), o.path("rank_step_ms").get(rank).asDouble(), "step_ms", rank, step);
                assertClose(own.dataMs(), o.path("rank_data_ms").get(rank).asDouble(), "data_ms", rank, step);
                assertClose(own.commMs(), o.path("rank_comm_ms").get(rank).asDouble(), "comm_ms", rank, step);
                assertClose(own.commTotalMs(), o.path("rank_comm_total_ms").get(rank).asDouble(), "comm_total_ms",
                        rank, step);
            }
            assertClose(o.path("step_ms").asDouble(), o.path("rank_step_ms").get(0).asDouble(), "rank 0 = record",
                    0, step);
        }
        assertEquals(List.of(1L, 3L, 6L), recorded, "records at step 1 and every 3 steps");
        assertFalse(seen.get(1).isEmpty());
        assertTrue(seen.get(1).values().stream().anyMatch(s -> s.commTotalMs() > 0), "rank 1 communicated");
    }

    private static void assertClose(double expected, double actual, String what, int rank, long step) {
        // float in the all-reduce, then rounded to µs
        assertEquals(expected, actual, 1e-3 + 1e-6 * Math.abs(expected), what + " of rank " + rank + " at " + step);
    }
}
