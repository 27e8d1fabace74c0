package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.DataDir;
import dev.brisk.data.LoaderThroughput;
import java.util.Locale;

/**
 * The {@code dataloader} workload: Fashion-MNIST with random crop (pad 2) + horizontal flip + normalize at batch 128
 * through {@code --workers} loader threads; the rate is batches delivered over the measured wall time.
 */
final class DataloaderWorkload {

    private DataloaderWorkload() {
    }

    static ObjectNode run(int workers, double seconds, Integer steps) {
        if (workers < 0 || workers > 256) {
            throw new UsageException("--workers must be between 0 and 256, got " + workers);
        }
        LoaderThroughput.Result r = LoaderThroughput.run(DataDir.resolve(), workers, 2.0, seconds,
                steps == null ? 20 : steps);
        System.out.printf(Locale.ROOT, "dataloader  data=%s  workers=%d  batch=%d%n", r.data(), r.workers(),
                r.batchSize());
        System.out.printf(Locale.ROOT, "%d batches in %.2f s: %.0f samples/s, %.1f batches/s%n", r.batches(),
                r.seconds(), r.samplesPerSecond(), r.batchesPerSecond());
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("data", r.data());
        out.put("workers", r.workers());
        out.put("batch", r.batchSize());
        out.put("samples_per_s", Math.round(r.samplesPerSecond()));
        out.put("batches_per_s", Math.round(r.batchesPerSecond() * 10) / 10.0);
        return out;
    }
}
