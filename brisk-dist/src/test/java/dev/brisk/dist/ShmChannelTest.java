package dev.brisk.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shared-memory ring on its own (two mappings of one file in this JVM) and its set-up's fallbacks. */
class ShmChannelTest {

    @TempDir
    Path dir;

    private Path ringFile() throws IOException {
        Path f = dir.resolve("ring");
        try (FileChannel fc = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            fc.write(ByteBuffer.allocate(1), ShmChannel.FILE_BYTES - 1);
        }
        return f;
    }

    @Test
    @Timeout(30)
    void framesArriveInOrderThroughManyWrapsWithBackPressure() throws Exception {
        Path f = ringFile();
        ShmChannel writer = ShmChannel.create(f, 42);
        ShmChannel reader = ShmChannel.open(f, 42);
        assertNotNull(reader);
        int frames = 3 * ShmChannel.SLOTS + 3;
        AtomicBoolean closing = new AtomicBoolean();
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            for (int k = 0; k < frames; k++) {
                int n = k % 5 == 0 ? 0 : 1000 * k + 7;
                float[] src = new float[n + 3];
                for (int i = 0; i < src.length; i++) {
                    src[i] = k * 1e6f + i;
                }
                assertTrue(writer.write(src, 3, n, closing::get));
            }
        });
        // the writer fills every slot, then waits for a release
        Thread.sleep(200);
        assertFalse(sent.isDone(), "the writer must wait while the reader holds all " + ShmChannel.SLOTS + " slots");
        for (int k = 0; k < frames; k++) {
            int n = k % 5 == 0 ? 0 : 1000 * k + 7;
            ByteBuffer b = takeOncePublished(reader, 4 * n);
            assertEquals(4 * n, b.remaining());
            for (int i = 0; i < n; i++) {
                assertEquals(k * 1e6f + i + 3, b.getFloat(b.position() + 4 * i), "frame " + k + " float " + i);
            }
            reader.release();
        }
        sent.get(10, TimeUnit.SECONDS);
        assertThrows(Frame.ProtocolException.class, () -> reader.take(4),
                "a header for a slot the peer never published is a protocol error");
        writer.close();
        reader.close();
    }

    /** The test's stand-in for the header that, in a link, arrives over TCP only after the slot was published. */
    private static ByteBuffer takeOncePublished(ShmChannel reader, int bytes) throws InterruptedException {
        for (int tries = 0; ; tries++) {
            try {
                return reader.take(bytes);
            } catch (Frame.ProtocolException e) {
                if (tries > 5_000) {
                    throw new AssertionError(e);
                }
                Thread.sleep(1);
            }
        }
    }

    @Test
    @Timeout(30)
    void aWaitingWriterGivesUpWhenTheLinkCloses() throws Exception {
        Path f = ringFile();
        ShmChannel writer = ShmChannel.create(f, 1);
        AtomicBoolean closing = new AtomicBoolean();
        for (int k = 0; k < ShmChannel.SLOTS; k++) {
            assertTrue(writer.write(new float[1], 0, 1, closing::get));
        }
        CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(
                () -> writer.write(new float[1], 0, 1, closing::get));
        Thread.sleep(100);
        closing.set(true);
        assertFalse(blocked.get(5, TimeUnit.SECONDS));
        writer.close();
    }

    @Test
    void aFileWithoutTheNonceOrOfTheWrongSizeIsNotMapped() throws Exception {
        Path f = ringFile();
        ShmChannel creator = ShmChannel.create(f, 7);
        assertNull(ShmChannel.open(f, 8), "another nonce: not the file this peer created");
        creator.close();
        Path small = dir.resolve("small");
        Files.write(small, new byte[64]);
        assertThrows(IOException.class, () -> ShmChannel.open(small, 7));
    }

    @Test
    @Timeout(30)
    void aNeighbourThatNeverShowsUpFailsTheSetUpAndLeavesNoFileBehind() throws Exception {
        assumeTrue(Ranks.SHM_AVAILABLE);
        String job = "shm-gone-" + System.nanoTime();
        TcpStore server = Ranks.store(3, job);
        try (StoreClient store = StoreClient.connect("127.0.0.1", server.port(), Ranks.TOKEN, 1, job, 0,
                System.nanoTime() + 10_000_000_000L)) {
            DistEnv env = Ranks.env(1, 3, server.port(), Duration.ofSeconds(1), job);
            // rank 1 of 3 creates its file for rank 2, then waits for rank 0's offer, which never comes
            DistributedException e = assertThrows(DistributedException.class,
                    () -> SharedMemory.negotiate(env, store, true, System.nanoTime() + 1_000_000_000L));
            assertEquals(0, e.failedRank(), e.getMessage());
            assertTrue(store.get(job + "/0/shm/1-2") != null, "the offer to rank 2 was made");
        } finally {
            server.close();
        }
        try (var files = Files.list(Path.of("/dev/shm"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("brisk-" + job)),
                    "the creator removes its file when the set-up fails");
        }
    }

    @Test
    @Timeout(60)
    void ranksThatDisagreeOnSharedMemoryBothUseTcp() {
        assumeTrue(Ranks.SHM_AVAILABLE);
        String job = "shm-mixed-" + System.nanoTime();
        TcpStore store = Ranks.store(2, job);
        List<Object> made = Ranks.run(2, r -> TcpGroup.connect(Ranks.env(r, 2, store.port(), Duration.ofSeconds(20),
                job), r == 0 ? store : null, r == 0), 30);
        List<ProcessGroup> groups = new ArrayList<>();
        for (Object o : made) {
            if (o instanceof Throwable t) {
                throw new AssertionError("group formation failed", t);
            }
            groups.add((ProcessGroup) o);
        }
        try {
            List<Object> sums = Ranks.run(2, r -> {
                assertEquals(0, ((TcpGroup) groups.get(r)).sharedMemoryPeers());
                float[] x = CollectivesTest.input(r, 300_001, 5);
                float[] want = new float[x.length];
                for (int k = 0; k < 2; k++) {
                    float[] y = CollectivesTest.input(k, 300_001, 5);
                    for (int i = 0; i < y.length; i++) {
                        want[i] += y[i];
                    }
                }
                groups.get(r).allReduce(x, Reduction.SUM);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(want[i], x[i], 1e-6f, "element " + i);
                }
                return x;
            }, 30);
            for (Object o : sums) {
                if (o instanceof Throwable t) {
                    throw new AssertionError(t);
                }
            }
        } finally {
            Ranks.closeAll(groups);
        }
        try (var files = Files.list(Path.of("/dev/shm"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("brisk-" + job)),
                    "the creator unlinks its file once the peer answered");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
