package dev.brisk.train.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.tensor.Tensor;
import dev.brisk.testing.FuzzInvariant;
import dev.brisk.train.io.SafeTensors;
import dev.brisk.train.io.SafeTensorsFormatException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * safetensors files: any bytes either decode or fail with {@link SafeTensorsFormatException} naming the file; a
 * file that decodes re-encodes to tensors that decode to the same shapes (the writer and reader agree).
 */
class SafeTensorsFuzzTest {

    @FuzzTest
    void safetensorsReader(byte[] input) {
        SafeTensors.Contents c = FuzzInvariant.check(() -> SafeTensors.decode(ByteBuffer.wrap(input),
                "fuzz.safetensors"), SafeTensorsFormatException.class, "fuzz.safetensors");
        if (c != null) {
            SafeTensors.Contents again = FuzzInvariant.succeeds(() -> SafeTensors.decode(ByteBuffer.wrap(
                    SafeTensors.encode(c.tensors(), c.metadata())), "re-encoded"));
            for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
                assertArrayEquals(e.getValue().shape(), again.tensors().get(e.getKey()).shape(), e.getKey());
            }
        }
    }
}
