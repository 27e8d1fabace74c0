package dev.brisk.data.format;

import java.util.Objects;

/**
 * How to read a CSV file: the header names the columns; {@code labelColumn} names the class label, every other
 * column is a numeric feature; cells are split at {@code delimiter} (double quotes protect delimiters, {@code ""}
 * is a literal quote); {@code missing} says what to do with empty or NA cells.
 */
public record CsvOptions(String labelColumn, char delimiter, MissingValues missing) {

    public CsvOptions {
        Objects.requireNonNull(labelColumn, "labelColumn");
        Objects.requireNonNull(missing, "missing");
        if (labelColumn.isBlank()) {
            throw new IllegalArgumentException("name the label column (as written in the CSV header)");
        }
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("CSV delimiter cannot be a quote or a line break");
        }
    }

    /** Comma-separated, missing values are errors. */
    public static CsvOptions of(String labelColumn) {
        return new CsvOptions(labelColumn, ',', MissingValues.ERROR);
    }

    public CsvOptions withMissing(MissingValues missing) {
        return new CsvOptions(labelColumn, delimiter, missing);
    }

    public CsvOptions withDelimiter(char delimiter) {
        return new CsvOptions(labelColumn, delimiter, missing);
    }
}
