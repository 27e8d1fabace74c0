package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brisk.testing.FuzzInvariant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A peer's byte stream as the receiving rank reads it: the fuzzer's bytes (frames with wrong lengths, kinds,
 * huge sizes, truncation) arrive on a real loopback connection, then the peer closes. The link must either
 * deliver well-formed frames or report one failure naming the peer — never die silently (which would leave the
 * group waiting for its timeout) and never hang.
 */
class PeerLinkFuzzTest {

    private static final ServerSocketChannel LISTENER = listen();
    private static final String READER = "brisk-dist-read-r0-from-1";

    @FuzzTest
    void peerByteStream(byte[] input) {
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReference<Throwable> died = new AtomicReference<>();
        FuzzInvariant.succeeds(() -> {
            try (SocketChannel peer = SocketChannel.open(LISTENER.getLocalAddress())) {
                SocketChannel mine = LISTENER.accept();
                PeerLink link = new PeerLink(0, 1, mine, null, (p, message, cause) -> failure.compareAndSet(null, message));
                Thread reader = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(READER))
                        .findFirst().orElseThrow();
                reader.setUncaughtExceptionHandler((t, e) -> died.set(e));
                try {
                    peer.write(ByteBuffer.wrap(input));
                    peer.shutdownOutput();
                    while (reader.isAlive()) {
                        PeerLink.Inbound in = link.inbox.poll(10, TimeUnit.MILLISECONDS);
                        if (in != null) {
                            assertEquals(in.frame().bytes(), in.payload().remaining(), "payload of " + in.frame());
                            link.release(in.payload());
                        }
                    }
                } finally {
                    link.close();
                }
            }
            return null;
        });
        assertEquals(null, died.get(), "the reader died without reporting: " + died.get());
        String f = failure.get();
        assertTrue(f == null || f.contains("rank 1"), "a failure must name the peer: " + f);
    }

    private static ServerSocketChannel listen() {
        try {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
