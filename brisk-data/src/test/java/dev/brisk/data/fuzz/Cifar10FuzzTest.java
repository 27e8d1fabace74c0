package dev.brisk.data.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.data.DataFileException;
import dev.brisk.data.format.Cifar10;
import dev.brisk.data.format.ImageDataset;
import dev.brisk.testing.FuzzInvariant;
import java.nio.file.Path;

/**
 * CIFAR-10 binary batches. Real records are 3,073 bytes, longer than most fuzz inputs, so the fuzzed bytes are
 * repeated to a whole number of records half of the time (labels and pixels then come from the fuzzer) and used
 * as they are otherwise (truncation, empty files).
 */
class Cifar10FuzzTest {

    @FuzzTest
    void cifarReader(byte[] input) {
        byte[] file = input;
        if (input.length > 1 && (input[0] & 1) == 1) {
            int records = 1 + (input[1] & 3);
            file = new byte[records * Cifar10.RECORD_BYTES];
            for (int i = 0; i < file.length && input.length > 2; i++) {
                file[i] = input[2 + i % (input.length - 2)];
            }
        }
        Path p = FuzzFiles.write("data_batch.bin", file);
        ImageDataset d = FuzzInvariant.check(() -> Cifar10.load(p), DataFileException.class, p.toString());
        if (d != null) {
            for (int i = 0; i < d.size(); i++) {
                d.get(i);
            }
        }
    }
}
