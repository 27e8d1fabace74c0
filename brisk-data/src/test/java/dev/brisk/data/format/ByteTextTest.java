package dev.brisk.data.format;

import static dev.brisk.data.format.IdxTest.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.data.Batch;
import dev.brisk.data.Collate;
import dev.brisk.data.TokenWindow;
import dev.brisk.data.Transform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteTextTest {

    @TempDir
    Path dir;

    Path text(String name, String s) throws IOException {
        return Files.writeString(dir.resolve(name), s, StandardCharsets.ISO_8859_1);
    }

    static String str(TokenWindow w) {
        return new String(w.bytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void sequentialWindowsTileEachFileWithoutCrossingFiles() throws IOException {
        Path a = text("a", "abcdefghij"); // 10 bytes, T = 3: windows at 0, 3, 6 ("ghij")
        Path b = text("b", "xy");         // too short: no window
        Path c = text("c", "0123");
        ByteText t = ByteText.sequential(3, a, b, c);
        assertEquals(4, t.size());
        assertEquals(List.of("abcd", "defg", "ghij", "0123"),
                java.util.stream.IntStream.range(0, 4).mapToObj(i -> str(t.get(i))).toList());
    }

    @Test
    void everyOffsetAndCollateShiftsTargets() throws IOException {
        Path a = text("a", "hello");
        ByteText t = ByteText.everyOffset(2, a);
        assertEquals(3, t.size());
        assertEquals("llo", str(t.get(2)));
        Batch b = Collate.tokens().collate(List.of(t.get(0), t.get(2)), new int[] {0, 2}, null);
        assertArrayEquals(new int[] {2, 2}, b.inputs().shape());
        assertArrayEquals(new long[] {'h', 'e', 'l', 'l'}, b.inputs().toLongArray());
        assertArrayEquals(new long[] {'e', 'l', 'l', 'o'}, b.targets().toLongArray());
    }

    @Test
    void tooShortTextSaysWhy() throws IOException {
        Path a = text("a", "abc");
        fails(a, () -> ByteText.sequential(8, a), "9 bytes one window needs", "shorter sequence length");
    }

    @Test
    void streamReadsSequentialWindowsFromPlainAndGzipFiles() throws IOException {
        Path a = text("a", "abcdefg");
        Path b = Files.write(dir.resolve("b.gz"), IdxTest.gzip("0123456".getBytes(StandardCharsets.ISO_8859_1)));
        TextStream s = new TextStream(List.of(a, b), 3);
        try (Stream<TokenWindow> w = s.stream(0)) {
            assertEquals(List.of("abcd", "defg", "0123", "3456"), w.map(ByteTextTest::str).toList());
        }
        try (Stream<Batch> batches = s.batches(0, 3, false, 1, Transform.identity(), Collate.tokens())) {
            List<Batch> list = batches.toList();
            assertEquals(2, list.size());
            assertArrayEquals(new int[] {0, 1, 2}, list.get(0).indices());
            assertArrayEquals(new long[] {'3', '4', '5'}, list.get(1).inputs().toLongArray());
            assertArrayEquals(new long[] {'4', '5', '6'}, list.get(1).targets().toLongArray());
        }
    }
}
