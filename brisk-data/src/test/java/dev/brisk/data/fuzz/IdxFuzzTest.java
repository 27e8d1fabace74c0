package dev.brisk.data.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.data.DataFileException;
import dev.brisk.data.format.Idx;
import dev.brisk.data.format.IdxArray;
import dev.brisk.data.format.Mnist;
import dev.brisk.testing.FuzzInvariant;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * IDX files, raw and gzip: the fuzzer writes the header and data; every third input is gzip-compressed before
 * reading (valid gzip around fuzzed IDX) and every third starts with the gzip magic but is fuzzed raw (corrupt
 * gzip). A successful read must hold exactly as many bytes as its header claims, and images must also load as
 * a dataset (with a matching labels file) or be rejected with the file named.
 */
class IdxFuzzTest {

    @FuzzTest
    void idxReader(FuzzedDataProvider in) {
        int mode = in.consumeInt(0, 2);
        byte[] body = in.consumeRemainingAsBytes();
        byte[] file = switch (mode) {
            case 0 -> body;
            case 1 -> FuzzFiles.gzip(body);
            default -> concat(new byte[] {0x1f, (byte) 0x8b}, body);
        };
        int dims = body.length > 3 && body[3] == 3 ? 3 : 1;
        Path p = FuzzFiles.write("input.idx", file);
        IdxArray a = FuzzInvariant.check(() -> Idx.read(p, dims), DataFileException.class, p.toString());
        if (a != null) {
            long n = 1;
            for (int d : a.dims()) {
                n *= d;
            }
            assertEquals(n, a.data().length, "data size of a successful read");
            if (dims == 3 && a.count() <= 4096) { // as a dataset: images with a matching, valid labels file
                Path labels = FuzzFiles.write("labels.idx", labels(a.count()));
                FuzzInvariant.check(() -> Mnist.load(p, labels), DataFileException.class, p.toString());
            }
        }
    }

    private static byte[] labels(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
