package dev.brisk.data.format;

import dev.brisk.data.DataFileException;
import dev.brisk.data.Dataset;
import dev.brisk.data.Labeled;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A CSV table of numeric features and a class label. Labels that are all non-negative integers are used as
 * class indices; otherwise the distinct label strings, sorted, become classes 0..k-1 ({@link #classNames()}).
 * Errors name the file, the 1-based line and column, and the fix.
 */
public final class CsvDataset implements Dataset<Labeled<float[]>> {

    private static final Set<String> MISSING = Set.of("", "na", "n/a", "nan", "null", "?");

    private final List<String> featureNames;
    private final List<String> classNames;
    private final float[] features; // (N, F) row-major
    private final int[] labels;

    private CsvDataset(List<String> featureNames, List<String> classNames, float[] features, int[] labels) {
        this.featureNames = featureNames;
        this.classNames = classNames;
        this.features = features;
        this.labels = labels;
    }

    public static CsvDataset read(Path file, CsvOptions options) {
        DataFiles.size(file);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file, in, options);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read as UTF-8 text: " + e.getMessage(), e);
        }
    }

    private static CsvDataset parse(Path file, BufferedReader in, CsvOptions options) throws IOException {
        String headerLine = in.readLine();
        int lineNo = 1;
        if (headerLine == null || headerLine.isBlank()) {
            throw new DataFileException(file, "is empty — expected a header line naming the columns");
        }
        List<String> header = split(headerLine.startsWith("\uFEFF") ? headerLine.substring(1) : headerLine,
                options.delimiter(), file, lineNo);
        int labelCol = header.indexOf(options.labelColumn());
        if (labelCol < 0) {
            throw new DataFileException(file, "no column named '" + options.labelColumn() + "' in the header; the "
                    + "columns are " + header + " — pass one of those as the label column");
        }
        int f = header.size() - 1;
        List<String> featureNames = new ArrayList<>(header);
        featureNames.remove(labelCol);

        float[] x = new float[16 * Math.max(1, f)];
        List<String> y = new ArrayList<>();
        double[] sum = new double[f];
        long[] present = new long[f];
        int rows = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = split(line, options.delimiter(), file, lineNo);
            if (cells.size() != header.size()) {
                throw new DataFileException(file, "line " + lineNo + " has " + cells.size() + " cells but the header has "
                        + header.size() + " columns — check for a missing or extra '" + options.delimiter() + "'");
            }
            String label = cells.get(labelCol);
            if (MISSING.contains(label.toLowerCase(Locale.ROOT))) {
                if (options.missing() == MissingValues.DROP_ROW) {
                    continue;
                }
                throw new DataFileException(file, "line " + lineNo + ", column " + (labelCol + 1) + " ('"
                        + options.labelColumn() + "'): the label is missing — labels are never imputed; fix the row "
                        + "or use MissingValues.DROP_ROW");
            }
            float[] row = new float[f];
            boolean drop = false;
            for (int c = 0, j = 0; c < cells.size(); c++) {
                if (c == labelCol) {
                    continue;
                }
                String cell = cells.get(c);
                if (MISSING.contains(cell.toLowerCase(Locale.ROOT))) {
                    switch (options.missing()) {
                        case ERROR -> throw new DataFileException(file, "line " + lineNo + ", column " + (c + 1)
                                + " ('" + header.get(c) + "'): value is missing" + (cell.isEmpty() ? "" : " ('" + cell
                                + "')") + " — fill it in or choose a MissingValues policy (DROP_ROW, ZERO, COLUMN_MEAN)");
                        case DROP_ROW -> drop = true;
                        case ZERO -> row[j] = 0;
                        case COLUMN_MEAN -> row[j] = Float.NaN; // filled in once all rows are read
                    }
                } else {
                    row[j] = number(cell, file, lineNo, c, header.get(c), options.labelColumn());
                }
                j++;
            }
            if (drop) {
                continue;
            }
            for (int j = 0; j < f; j++) {
                if (!Float.isNaN(row[j])) {
                    sum[j] += row[j];
                    present[j]++;
                }
            }
            if ((long) (rows + 1) * f > Integer.MAX_VALUE - 16) {
                throw new DataFileException(file, "has more than 2^31 feature values — too large to hold in memory");
            }
            if ((rows + 1) * f > x.length) {
                x = Arrays.copyOf(x, (int) Math.min(Integer.MAX_VALUE - 16, 2L * x.length));
            }
            System.arraycopy(row, 0, x, rows * f, f);
            y.add(label);
            rows++;
        }
        if (rows == 0) {
            throw new DataFileException(file, "has a header but no data rows");
        }
        float[] features = Arrays.copyOf(x, rows * f);
        if (options.missing() == MissingValues.COLUMN_MEAN) {
            for (int i = 0; i < features.length; i++) {
                if (Float.isNaN(features[i])) {
                    int j = i % f;
                    features[i] = present[j] == 0 ? 0 : (float) (sum[j] / present[j]);
                }
            }
        }
        return labelled(featureNames, features, y);
    }

    private static CsvDataset labelled(List<String> featureNames, float[] features, List<String> y) {
        int[] labels = new int[y.size()];
        boolean numeric = true;
        for (int i = 0; i < labels.length && numeric; i++) {
            try {
                double v = Double.parseDouble(y.get(i));
                numeric = v >= 0 && v < Integer.MAX_VALUE && v == Math.rint(v); // classes() = max + 1 must fit
                labels[i] = (int) v;
            } catch (NumberFormatException e) {
                numeric = false;
            }
        }
        if (numeric) {
            return new CsvDataset(List.copyOf(featureNames), List.of(), features, labels);
        }
        List<String> names = List.copyOf(new TreeSet<>(y));
        for (int i = 0; i < labels.length; i++) {
            labels[i] = java.util.Collections.binarySearch(names, y.get(i));
        }
        return new CsvDataset(List.copyOf(featureNames), names, features, labels);
    }

    private static float number(String cell, Path file, int line, int col, String column, String labelColumn) {
        try {
            float v = Float.parseFloat(cell);
            if (Float.isFinite(v) && !cell.endsWith("f") && !cell.endsWith("F") && !cell.endsWith("d")
                    && !cell.endsWith("D")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DataFileException(file, "line " + line + ", column " + (col + 1) + " ('" + column + "'): '" + cell
                + "' is not a finite number — every column except the label ('" + labelColumn + "') must be numeric");
    }

    /** Splits one line at the delimiter; double quotes protect delimiters and {@code ""} is a quote. */
    static List<String> split(String line, char delimiter, Path file, int lineNo) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"' && cell.toString().isBlank()) {
                quoted = wasQuoted = true;
                cell.setLength(0);
            } else if (ch == delimiter) {
                cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new DataFileException(file, "line " + lineNo + " has an unterminated double quote — quoted cells "
                    + "must close on the same line");
        }
        cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return cells;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Labeled<float[]> get(int index) {
        Objects.checkIndex(index, labels.length);
        int f = featureNames.size();
        return new Labeled<>(Arrays.copyOfRange(features, index * f, index * f + f), labels[index]);
    }

    /** The feature columns, in file order (the label column removed). */
    public List<String> featureNames() {
        return featureNames;
    }

    /** Class names by index when the labels were strings; empty when they were integers. */
    public List<String> classNames() {
        return classNames;
    }

    /** 1 + the largest label. */
    public int classes() {
        return Arrays.stream(labels).max().orElse(-1) + 1;
    }
}
