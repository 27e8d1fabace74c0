package dev.brisk.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoaderThroughputTest {

    @Test
    void measuresSyntheticData() {
        LoaderThroughput.Result r = LoaderThroughput.run(LoaderThroughput.synthetic(2_000, 1), "synthetic", 2, 0.1,
                0.3, 20);
        assertEquals("synthetic", r.data());
        assertEquals(128, r.batchSize());
        assertTrue(r.batches() >= 20, r.toString());
        assertTrue(r.samplesPerSecond() > 0 && Math.abs(r.samplesPerSecond() - 128 * r.batchesPerSecond()) < 1e-6
                * r.samplesPerSecond(), r.toString());
    }
}
