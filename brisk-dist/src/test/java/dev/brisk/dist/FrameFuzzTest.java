package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.testing.FuzzInvariant;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Frame headers: any 28 bytes either decode or are rejected with {@link Frame.ProtocolException}; a header that
 * decodes encodes back to the same bytes (nothing is silently normalised, so what a rank checks is what it got).
 */
class FrameFuzzTest {

    @FuzzTest
    void frameHeader(byte[] input) {
        byte[] header = Arrays.copyOf(input, Frame.HEADER);
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        Frame f = FuzzInvariant.check(() -> Frame.decode(b), Frame.ProtocolException.class);
        if (f != null) {
            ByteBuffer again = ByteBuffer.allocate(Frame.HEADER).order(ByteOrder.LITTLE_ENDIAN);
            f.encode(again);
            assertArrayEquals(header, again.array(), "re-encoded " + f);
        }
    }
}
