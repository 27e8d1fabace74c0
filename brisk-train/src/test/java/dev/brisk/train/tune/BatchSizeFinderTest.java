package dev.brisk.train.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.train.tune.BatchSizeFinder.Fit;
import dev.brisk.train.tune.BatchSizeFinder.Trial;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Budget parsing, and the batch-size search on a tiny model with budgets placed between measured sizes. */
class BatchSizeFinderTest {

    @Test
    void parsesSizes() {
        assertEquals(1L << 30, BatchSizeFinder.parseBytes("1g"));
        assertEquals(1L << 30, BatchSizeFinder.parseBytes("1G"));
        assertEquals(2L << 30, BatchSizeFinder.parseBytes("2GiB"));
        assertEquals(512L << 20, BatchSizeFinder.parseBytes("512m"));
        assertEquals(64L << 20, BatchSizeFinder.parseBytes(" 64MB "));
        assertEquals(2048L << 10, BatchSizeFinder.parseBytes("2048k"));
        assertEquals(1024, BatchSizeFinder.parseBytes("1kb"));
        assertEquals(3L << 29, BatchSizeFinder.parseBytes("1.5g"));
        assertEquals(1L << 40, BatchSizeFinder.parseBytes("1t"));
        assertEquals(123456789, BatchSizeFinder.parseBytes("123456789"));
    }

    @Test
    void rejectsBadSizesClearly() {
        for (String bad : new String[] {"", "  ", "abc", "-1g", "0", "0k", "1x", "1.5", "g", "1 g b", "9999999999t"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> BatchSizeFinder.parseBytes(bad), bad);
            assertTrue(e.getMessage().contains("1g, 512m, 2048k or a number of bytes"), e.getMessage());
            assertTrue(bad.isBlank() || e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BatchSizeFinder.parseBytes("-1g"))
                .getMessage().contains("negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BatchSizeFinder.parseBytes(null))
                .getMessage().contains("empty"));
    }

    @Test
    void defaultBudgetIsTheHeapLessAQuarter() {
        long max = Runtime.getRuntime().maxMemory();
        assertEquals(max - max / 4, BatchSizeFinder.defaultBudget());
    }

    private static BatchSizeFinder.Result search(Module m, Optimizer opt, long budget) {
        BatchSizeFinder.Options o = BatchSizeFinder.Options.of(budget).withBatchRange(8, 1024).withTiming(0.05, 0.02)
                .withTimeLimit(30);
        return BatchSizeFinder.run(m, new CrossEntropyLoss(), opt, Precision.FP32, null,
                b -> DataLoader.create(LrRangeTestTest.data(), dev.brisk.data.TensorDataset.collate(),
                        LoaderConfig.of(b, 11).withDropLast(true)), 128, o, null);
    }

    @Test
    void picksTheLargestSizeThatFitsAndReportsTheOnesOver() {
        Module m = LrRangeTestTest.model();
        Optimizer opt = Optimizer.of(Adam.adam(), 1e-3, m.namedParameters(), 0);
        Map<String, float[]> before = values(m);

        // everything fits a large budget: 8, 16, ..., 128 (the data set caps it)
        BatchSizeFinder.Result all = search(m, opt, 1L << 30);
        List<Integer> sizes = all.trials().stream().map(Trial::batchSize).toList();
        assertEquals(List.of(8, 16, 32, 64, 128), sizes);
        assertTrue(all.trials().stream().allMatch(t -> t.fit() == Fit.FITS));
        assertEquals(128, all.pick());
        assertTrue(all.trials().stream().allMatch(t -> t.samplesPerSecond() > 0));
        long m32 = all.trials().get(2).memoryBytes();
        long m64 = all.trials().get(3).memoryBytes();
        assertTrue(m32 > all.fixedBytes() && m64 > m32, m32 + " " + m64);
        // parameters 6·32+32+32·3+3 = 323 floats: ×4 bytes for weights, gradients, and Adam's two slots
        assertEquals(323L * 4 * 4, all.fixedBytes());

        // a budget just under 64's need: 64 runs its forward, is measured over budget, and 32 is picked
        long near = m64 - (m64 - m32) / 10;
        BatchSizeFinder.Result r = search(m, opt, near);
        assertEquals(32, r.pick());
        Trial over = r.trials().getLast();
        assertEquals(64, over.batchSize());
        assertEquals(Fit.OVER_BUDGET, over.fit());
        assertEquals(m64, over.memoryBytes());
        assertTrue(Double.isNaN(over.samplesPerSecond()));
        assertTrue(r.table().contains("over budget") && r.table().contains("fits")
                && r.table().contains("pick: batch 32"), r.table());

        // a budget just over 32's need: 64 is far over on extrapolation and is not run
        BatchSizeFinder.Result est = search(m, opt, m32 + 1);
        assertEquals(32, est.pick());
        assertEquals(Fit.OVER_BUDGET_EST, est.trials().getLast().fit());
        assertTrue(est.trials().getLast().memoryBytes() > m32 + 1);

        // nothing fits a tiny budget
        BatchSizeFinder.Result none = search(m, opt, 1024);
        assertEquals(0, none.pick());
        assertEquals(1, none.trials().size());
        assertEquals(Fit.OVER_BUDGET, none.trials().getFirst().fit());
        assertTrue(none.table().contains("pick: none"), none.table());

        // the model and the optimizer are as before
        Map<String, float[]> after = values(m);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        assertTrue(opt.stateDict().isEmpty());
    }

    private static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }
}
