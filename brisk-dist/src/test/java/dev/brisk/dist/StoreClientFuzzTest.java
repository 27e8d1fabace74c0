package dev.brisk.dist;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.testing.FuzzInvariant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A rank talking to a store that answers garbage (a different program on the port after authentication, or a
 * corrupted stream): every call either returns or throws a {@link DistributedException} naming the store's
 * address, within the client's read timeout.
 */
class StoreClientFuzzTest {

    private static final String JOB = "fuzz";
    private static final ServerSocket FAKE = listen();

    @FuzzTest
    void storeAnswers(byte[] answers) throws Exception {
        Thread server = Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = FAKE.accept()) {
                s.setSoTimeout(5_000);
                Handshake.server(s.getInputStream(), s.getOutputStream(), Ranks.TOKEN.getBytes(StandardCharsets.UTF_8),
                        Handshake.Purpose.STORE, 0, JOB, 0, r -> null);
                s.getOutputStream().write(answers);
                s.getOutputStream().flush();
                s.shutdownOutput();
                while (s.getInputStream().read(new byte[4096]) >= 0) {
                    // until the client is done
                }
            } catch (IOException | Handshake.Refused e) {
                // the client went away
            }
        });
        String where = "127.0.0.1:" + FAKE.getLocalPort();
        FuzzInvariant.check(() -> {
            try (StoreClient c = StoreClient.connect("127.0.0.1", FAKE.getLocalPort(), Ranks.TOKEN, 1, JOB, 0,
                    System.nanoTime() + 5_000_000_000L).withTimeout(2_000)) {
                c.get("k");
                c.add("n", 1);
                c.compareSet("c", null, new byte[] {1});
                c.set("s", new byte[] {2});
                return c.get("k");
            }
        }, DistributedException.class, where);
        server.join(10_000);
    }

    private static ServerSocket listen() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
