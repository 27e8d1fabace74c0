package dev.brisk.data.format;

import static dev.brisk.data.format.IdxTest.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {

    @TempDir
    Path dir;

    Path csv(String text) throws IOException {
        return Files.writeString(dir.resolve("data.csv"), text);
    }

    @Test
    void numericLabelsAnywhereInTheRow() throws IOException {
        Path f = csv("a,label,b\n1.5,2,-3\n\n 4 , 0 ,5e1\n");
        CsvDataset ds = CsvDataset.read(f, CsvOptions.of("label"));
        assertEquals(List.of("a", "b"), ds.featureNames());
        assertEquals(2, ds.size());
        assertArrayEquals(new float[] {1.5f, -3f}, ds.get(0).input());
        assertEquals(2, ds.get(0).label());
        assertArrayEquals(new float[] {4f, 50f}, ds.get(1).input());
        assertEquals(0, ds.get(1).label());
        assertEquals(List.of(), ds.classNames());
        assertEquals(3, ds.classes());
    }

    @Test
    void stringLabelsBecomeSortedClassesAndQuotesProtectDelimiters() throws IOException {
        Path f = csv("x;\"species; name\"\n1;virginica\n2;\"setosa\"\n3;virginica\n");
        CsvDataset ds = CsvDataset.read(f, CsvOptions.of("species; name").withDelimiter(';'));
        assertEquals(List.of("setosa", "virginica"), ds.classNames());
        assertEquals(1, ds.get(0).label());
        assertEquals(0, ds.get(1).label());
    }

    @Test
    void missingValuePolicies() throws IOException {
        Path f = csv("a,b,y\n1,,0\n3,4,1\nNA,8,1\n");
        fails(f, () -> CsvDataset.read(f, CsvOptions.of("y")), "line 2, column 2 ('b'): value is missing",
                "MissingValues");
        CsvDataset drop = CsvDataset.read(f, CsvOptions.of("y").withMissing(MissingValues.DROP_ROW));
        assertEquals(1, drop.size());
        assertArrayEquals(new float[] {3, 4}, drop.get(0).input());
        CsvDataset zero = CsvDataset.read(f, CsvOptions.of("y").withMissing(MissingValues.ZERO));
        assertArrayEquals(new float[] {1, 0}, zero.get(0).input());
        assertArrayEquals(new float[] {0, 8}, zero.get(2).input());
        CsvDataset mean = CsvDataset.read(f, CsvOptions.of("y").withMissing(MissingValues.COLUMN_MEAN));
        assertArrayEquals(new float[] {1, 6}, mean.get(0).input()); // mean of b over 4, 8
        assertArrayEquals(new float[] {2, 8}, mean.get(2).input()); // mean of a over 1, 3
    }

    @Test
    void missingLabelIsNeverImputed() throws IOException {
        Path f = csv("a,y\n1,\n2,1\n");
        fails(f, () -> CsvDataset.read(f, CsvOptions.of("y").withMissing(MissingValues.ZERO)),
                "line 2, column 2 ('y'): the label is missing");
        assertEquals(1, CsvDataset.read(f, CsvOptions.of("y").withMissing(MissingValues.DROP_ROW)).size());
    }

    @Test
    void nonNumericCellNamesLineAndColumn() throws IOException {
        Path f = csv("a,b,y\n1,2,0\n3,abc,1\n");
        fails(f, () -> CsvDataset.read(f, CsvOptions.of("y")), "line 3, column 2 ('b'): 'abc' is not a finite number");
        Path g = csv("a,y\nInfinity,0\n");
        fails(g, () -> CsvDataset.read(g, CsvOptions.of("y")), "line 2, column 1 ('a'): 'Infinity'");
    }

    @Test
    void structuralErrors() throws IOException {
        Path f = csv("a,b,y\n1,2\n");
        fails(f, () -> CsvDataset.read(f, CsvOptions.of("y")), "line 2 has 2 cells but the header has 3 columns");
        Path g = csv("a,b\n1,2\n");
        fails(g, () -> CsvDataset.read(g, CsvOptions.of("y")), "no column named 'y'", "[a, b]");
        Path h = csv("");
        fails(h, () -> CsvDataset.read(h, CsvOptions.of("y")), "is empty");
        Path i = csv("a,y\n");
        fails(i, () -> CsvDataset.read(i, CsvOptions.of("y")), "no data rows");
        Path j = csv("a,y\n\"1,0\n");
        fails(j, () -> CsvDataset.read(j, CsvOptions.of("y")), "line 2 has an unterminated double quote");
    }
}
