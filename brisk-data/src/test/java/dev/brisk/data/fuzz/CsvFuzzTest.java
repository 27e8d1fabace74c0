package dev.brisk.data.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.data.DataFileException;
import dev.brisk.data.format.CsvDataset;
import dev.brisk.data.format.CsvOptions;
import dev.brisk.data.format.MissingValues;
import dev.brisk.testing.FuzzInvariant;
import java.nio.file.Path;

/**
 * CSV tables: fuzzed text (any bytes, so also invalid UTF-8), delimiter and missing-value policy, label column
 * "label". A table that loads must have consistent rows, finite features and labels in [0, classes).
 */
class CsvFuzzTest {

    private static final char[] DELIMITERS = {',', ';', '\t', '|'};

    @FuzzTest
    void csvReader(FuzzedDataProvider in) {
        char delimiter = DELIMITERS[in.consumeInt(0, DELIMITERS.length - 1)];
        MissingValues missing = MissingValues.values()[in.consumeInt(0, MissingValues.values().length - 1)];
        Path p = FuzzFiles.write("table.csv", in.consumeRemainingAsBytes());
        CsvOptions options = CsvOptions.of("label").withDelimiter(delimiter).withMissing(missing);
        CsvDataset d = FuzzInvariant.check(() -> CsvDataset.read(p, options), DataFileException.class,
                p.toString());
        if (d != null) {
            int classes = d.classes();
            assertTrue(classes >= 1, "classes of a loaded table: " + classes);
            for (int i = 0; i < d.size(); i++) {
                var row = d.get(i);
                assertEquals(d.featureNames().size(), row.input().length);
                for (float v : row.input()) {
                    assertTrue(Float.isFinite(v), "feature " + v);
                }
                assertTrue(row.label() >= 0 && row.label() < classes, "label " + row.label());
            }
        }
    }
}
