package dev.brisk.dist;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.testing.FuzzInvariant;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The authentication handshake from both ends: a fuzzed HELLO+PROOF against the server, and a fuzzed
 * CHALLENGE+VERDICT against the client. Each ends in acceptance or a refusal / I/O error (which the store and
 * the rendezvous turn into logged refusals or a {@link DistributedException}); lengths are checked before
 * allocation. Without the secret the fuzzer cannot be accepted, which the target also checks.
 */
class HandshakeFuzzTest {

    private static final byte[] SECRET = "fuzz-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    @FuzzTest
    void handshake(FuzzedDataProvider in) {
        boolean serverSide = in.consumeBoolean();
        byte[] peerBytes = in.consumeRemainingAsBytes();
        var input = new ByteArrayInputStream(peerBytes);
        var output = new ByteArrayOutputStream();
        Integer rank = FuzzInvariant.check(Duration.ofSeconds(10), () -> serverSide
                ? Handshake.server(input, output, SECRET, Handshake.Purpose.STORE, 0, "job", 0, r -> null)
                : Handshake.client(input, output, SECRET, Handshake.Purpose.STORE, 1, "job", 0),
                List.of(Handshake.Refused.class, IOException.class));
        if (rank != null) {
            throw new AssertionError("accepted a peer that does not know the secret (rank " + rank + ")");
        }
    }
}
