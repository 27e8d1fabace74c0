package dev.brisk.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

    record Numbers(int n) implements Dataset<Integer> {
        public int size() {
            return n;
        }

        public Integer get(int index) {
            return index * 10;
        }
    }

    @Test
    void subsetSelectsInOrder() {
        Dataset<Integer> s = new Numbers(5).subset(4, 0, 4);
        assertEquals(3, s.size());
        assertEquals(List.of(40, 0, 40), List.of(s.get(0), s.get(1), s.get(2)));
        assertThrows(IllegalArgumentException.class, () -> new Numbers(5).subset(5));
    }

    @Test
    void randomSplitIsDisjointCoveringAndSeeded() {
        Numbers d = new Numbers(103);
        List<Dataset<Integer>> parts = d.randomSplit(42, 0.8, 0.2);
        assertEquals(83, parts.get(0).size()); // 82.4 → 82, remainder to the first part
        assertEquals(20, parts.get(1).size());
        Set<Integer> all = new HashSet<>();
        parts.forEach(p -> {
            for (int i = 0; i < p.size(); i++) {
                assertTrue(all.add(p.get(i)));
            }
        });
        assertEquals(103, all.size());
        List<Dataset<Integer>> again = d.randomSplit(42, 83, 20);
        for (int i = 0; i < 20; i++) {
            assertEquals(parts.get(1).get(i), again.get(1).get(i));
        }
        List<Dataset<Integer>> other = d.randomSplit(43, 83, 20);
        assertTrue(java.util.stream.IntStream.range(0, 20).anyMatch(i -> !other.get(1).get(i).equals(parts.get(1).get(i))));
        assertThrows(IllegalArgumentException.class, () -> d.randomSplit(1, 50, 50));
    }

    @Test
    void dataDirComesFromTheEnvironmentElseTheDebianPackage() {
        assertEquals(Path.of("my-datasets"), DataDir.resolve(Map.of("BRISK_DATA", "my-datasets")));
        assertEquals(Path.of(DataDir.DEFAULT_DIR), DataDir.resolve(Map.of()));
        assertEquals(Path.of(DataDir.DEFAULT_DIR), DataDir.resolve(Map.of("BRISK_DATA", " ")));
    }

    @Test
    void configsRejectBadValuesWithTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> LoaderConfig.of(0, 1));
        assertTrue(e.getMessage().contains("batch size must be ≥ 1"));
        assertThrows(IllegalArgumentException.class, () -> LoaderConfig.of(1, 1).withWorkers(-1));
        assertThrows(IllegalArgumentException.class, () -> LoaderConfig.of(1, 1).withPrefetch(0));
        assertThrows(IllegalArgumentException.class, () -> new LoaderPosition(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Image(new float[3], 1, 2, 2));
    }
}
