package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.testing.FuzzInvariant;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rendezvous store's port, as an attacker or a broken client sees it: fuzzed bytes sent either raw (garbage
 * before authentication) or as requests after a successful handshake (wrong commands, key and value lengths,
 * huge claimed sizes, truncated requests). The store must answer or close the connection, never hang on it, and
 * afterwards still serve a well-behaved rank.
 */
class StoreServerFuzzTest {

    private static final String JOB = "fuzz";
    private static final TcpStore STORE = TcpStore.start(InetAddress.getLoopbackAddress(), 0, Ranks.TOKEN, JOB, 0, 4);
    private static final AtomicLong ROUND = new AtomicLong();

    @FuzzTest
    void storePort(FuzzedDataProvider in) {
        boolean authenticated = in.consumeBoolean();
        byte[] bytes = in.consumeRemainingAsBytes();
        FuzzInvariant.succeeds(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), STORE.port())) {
                s.setSoTimeout(5_000);
                if (authenticated) {
                    Handshake.client(s.getInputStream(), s.getOutputStream(), Ranks.TOKEN.getBytes(
                            StandardCharsets.UTF_8), Handshake.Purpose.STORE, 1, JOB, 0);
                }
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                s.shutdownOutput();
                InputStream answers = s.getInputStream();
                while (answers.read(new byte[4096]) >= 0) {
                    // drain until the store closes its side: it must, once our requests end (EOF) or go wrong
                }
            }
            return null;
        });
        if (ROUND.incrementAndGet() % 16 == 1) {
            byte[] value = ("v" + ROUND.get()).getBytes(StandardCharsets.UTF_8);
            byte[] back = FuzzInvariant.succeeds(() -> {
                try (StoreClient c = StoreClient.connect("127.0.0.1", STORE.port(), Ranks.TOKEN, 2, JOB, 0,
                        System.nanoTime() + 5_000_000_000L)) {
                    c.set("health", value);
                    return c.get("health");
                }
            });
            assertArrayEquals(value, back, "the store must keep serving well-behaved ranks");
        }
        assertTrue(Thread.activeCount() < 200, "connection threads pile up: " + Thread.activeCount());
    }
}
