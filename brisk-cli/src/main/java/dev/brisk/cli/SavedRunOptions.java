package dev.brisk.cli;

import dev.brisk.compress.SavedRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What every command that turns a trained run into a new one shares ({@code prune}, {@code quantize}): the source
 * run directory, config overrides, the output directory and how many batches the before/after comparison times.
 */
final class SavedRunOptions {

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    Path source;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override a config key of the saved run (e.g. data.batch_size, or for a fine-tune)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--run-dir", paramLabel = "OUT", description = "output run directory (default runs/<timestamp>)")
    Path runDir;

    @Option(names = "--timing-batches", paramLabel = "N",
            description = "test batches timed for inference samples/s (training: N/2; default 40)")
    int timingBatches = Compare.DEFAULT_TIMING_BATCHES;

    /** The source run's config (with the overrides) and latest checkpoint; bad input is a usage error. */
    SavedRun read() throws IOException {
        try {
            return SavedRun.read(source, sets);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The output directory: {@code --run-dir}, or a fresh one under runs/. */
    Path out() {
        return runDir != null ? runDir : RunDirs.fresh();
    }
}
