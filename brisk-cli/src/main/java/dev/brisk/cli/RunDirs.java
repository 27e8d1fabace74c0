package dev.brisk.cli;

import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Run directories ({@code runs/<timestamp>/}) and the configuration saved in them. */
final class RunDirs {

    static final String CONFIG_FILE = "config.yaml";

    private RunDirs() {
    }

    /** A new directory under {@code runs/}, named by the start time (suffixed if taken). */
    static Path fresh() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path base = Path.of("runs");
        Path dir = base.resolve(stamp);
        for (int i = 2; Files.exists(dir); i++) {
            dir = base.resolve(stamp + "-" + i);
        }
        return dir;
    }

    /** Loads a config file (or the defaults) with overrides; config errors become exit code 2. */
    static TrainConfig load(Path file, List<String> sets) {
        try {
            return file == null ? ConfigLoader.load(sets) : ConfigLoader.load(file, sets);
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The configuration a run directory was trained with. */
    static TrainConfig loadFromRun(Path runDir, List<String> sets) {
        Path f = runDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(f)) {
            throw new UsageException(runDir + " is not a Brisk run directory (no " + CONFIG_FILE + ")");
        }
        return load(f, sets);
    }

    static void writeConfig(Path runDir, TrainConfig config) {
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve(CONFIG_FILE), config.toYaml());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(CONFIG_FILE), e);
        }
    }
}
