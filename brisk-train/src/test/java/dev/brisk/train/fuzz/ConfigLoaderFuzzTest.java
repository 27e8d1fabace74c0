package dev.brisk.train.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.testing.FuzzInvariant;
import dev.brisk.train.config.ConfigException;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Run configurations: fuzzed YAML plus up to two fuzzed {@code --set key=value} overrides. Either a valid
 * {@link TrainConfig} or a {@link ConfigException} that says where the bad value came from (the file or the
 * override); a config that loads must survive a write and re-read unchanged.
 */
class ConfigLoaderFuzzTest {

    @FuzzTest
    void yamlConfig(FuzzedDataProvider in) {
        List<String> overrides = new ArrayList<>();
        for (int i = in.consumeInt(0, 2); i > 0; i--) {
            overrides.add(in.consumeString(64));
        }
        String yaml = in.consumeRemainingAsString();
        TrainConfig c = FuzzInvariant.check(() -> ConfigLoader.parse(yaml, "fuzz.yaml", overrides),
                ConfigException.class);
        if (c != null) {
            String written = FuzzInvariant.succeeds(c::toYaml);
            TrainConfig back = FuzzInvariant.succeeds(() -> ConfigLoader.parse(written, "written.yaml", List.of()));
            assertEquals(written, back.toYaml(), "a loaded config writes and reads back the same");
        }
    }
}
