package dev.brisk.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.dist.ThreadGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Row conversion and the padding that gives every rank the same number of samples (no Spark context needed). */
class RowShardTest {

    private static List<Row> rows(int n, int offset) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(RowFactory.create((double) (offset + i), (float) -i, (long) (i % 2)));
        }
        return out;
    }

    @Test
    void convertsNumericColumnsAndPadsTheSmallerShardCyclically() {
        List<ThreadGroup> group = ThreadGroup.create(2, Duration.ofSeconds(20));
        RowShard a = RowShard.of(rows(5, 0).iterator(), 2, 2, "rank 0");
        RowShard b = RowShard.of(rows(3, 100).iterator(), 2, 2, "rank 1");
        var fa = CompletableFuture.supplyAsync(() -> a.padToLargest(group.get(0)));
        var fb = CompletableFuture.supplyAsync(() -> b.padToLargest(group.get(1)));
        RowShard pa = fa.join();
        RowShard pb = fb.join();
        assertEquals(5, pa.size());
        assertEquals(5, pb.size());
        assertEquals(3, pb.rows());
        assertArrayEquals(new float[] {100f, 0f}, pb.get(0).input());
        assertArrayEquals(new float[] {101f, -1f}, pb.get(4).input(), "index 4 of 3 rows wraps to row 1");
        assertEquals(1, pb.get(4).label());
        group.forEach(ThreadGroup::close);
    }

    @Test
    void rejectsLabelsOutsideTheClassesAndNonNumericValues() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RowShard.of(List.of(RowFactory.create(1.0, 2.0, 3)).iterator(), 2, 3, "rank 0"));
        assertTrue(e.getMessage().contains("label 3.0") && e.getMessage().contains("[0, 3)"), e.getMessage());
        var n = assertThrows(IllegalArgumentException.class,
                () -> RowShard.of(List.of(RowFactory.create(1.0, null, 0)).iterator(), 2, 3, "rank 0"));
        assertTrue(n.getMessage().contains("column 1") && n.getMessage().contains("null"), n.getMessage());
    }

    @Test
    void readsTheHostOfSparkTaskAddressesAndTheRanksOfALocalMaster() {
        assertEquals("10.0.0.7", BarrierRendezvous.hostOf("10.0.0.7:41234"));
        assertEquals("node-3", BarrierRendezvous.hostOf("node-3"));
        assertEquals("fe80::1", BarrierRendezvous.hostOf("[fe80::1]:5000"));
        assertEquals(4, SparkTrainMain.defaultRanks("local[4]", 8));
        assertEquals(3, SparkTrainMain.defaultRanks("local[3,2]", 8));
        assertEquals(8, SparkTrainMain.defaultRanks("spark://head:7077", 8));
    }
}
