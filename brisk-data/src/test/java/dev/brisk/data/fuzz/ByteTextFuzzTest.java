package dev.brisk.data.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.data.DataFileException;
import dev.brisk.data.TokenWindow;
import dev.brisk.data.format.ByteText;
import dev.brisk.data.format.TextStream;
import dev.brisk.testing.FuzzInvariant;
import java.nio.file.Path;
import java.util.List;

/**
 * Byte-text windows: one to three fuzzed files (some empty or shorter than a window), a fuzzed sequence length
 * and stride; in memory ({@link ByteText}) every window is read and must have T tokens (T+1 bytes), and the streaming reader
 * ({@link TextStream}) must produce windows of the same length. Files may also be gzip (then streamed gunzipped).
 */
class ByteTextFuzzTest {

    @FuzzTest
    void byteTextWindows(FuzzedDataProvider in) {
        int length = in.consumeInt(1, 64);
        int stride = in.consumeInt(1, 64);
        int files = in.consumeInt(1, 3);
        boolean gzip = in.consumeBoolean();
        Path[] paths = new Path[files];
        for (int f = 0; f < files; f++) {
            byte[] text = f == files - 1 ? in.consumeRemainingAsBytes() : in.consumeBytes(in.consumeInt(0, 256));
            paths[f] = FuzzFiles.write("text" + f + ".txt", gzip && f == 0 ? FuzzFiles.gzip(text) : text);
        }
        ByteText windows = FuzzInvariant.check(() -> ByteText.read(length, stride, paths), DataFileException.class,
                paths[0].toString());
        if (windows != null) {
            for (int i = 0; i < windows.size(); i++) {
                assertEquals(length, windows.get(i).length());
            }
        }
        List<TokenWindow> streamed = FuzzInvariant.check(() -> {
            try (var s = new TextStream(List.of(paths), length).stream(0)) {
                return s.limit(10_000).toList();
            }
        }, DataFileException.class, paths[0].getParent().toString());
        if (streamed != null) {
            streamed.forEach(w -> assertEquals(length, w.length()));
        }
    }
}
