package dev.brisk.dist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sets up a {@link ShmChannel} between ring neighbours that share a host, during the rendezvous and through the
 * store. For each neighbour pair the lower rank creates an owner-only file in {@code /dev/shm}, fills it (so a
 * full tmpfs fails here with an error instead of later with a fault), writes a random nonce, and publishes the
 * host's boot id, the path and the nonce; the higher rank maps it only if its boot id is the same and the file
 * carries that nonce, and answers yes or no; then the creator unlinks the file (the mappings stay). Anything that
 * does not work out — another host, no {@code /dev/shm}, a full one, shared memory disabled on either side —
 * leaves that pair on TCP. Other pairs (point-to-point between non-neighbours) always use TCP.
 *
 * <p>Disabled with {@code BRISK_DIST_SHM=0} or {@code -Dbrisk.dist.shm=false}.
 */
final class SharedMemory {

    private static final System.Logger LOG = System.getLogger("dev.brisk.dist");
    private static final Path DIR = Path.of("/dev/shm");
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final String NONE = "none";

    private SharedMemory() {
    }

    /** Whether this process allows the shared-memory path (environment and system property). */
    static boolean enabledByDefault() {
        String env = System.getenv("BRISK_DIST_SHM");
        String prop = System.getProperty("brisk.dist.shm");
        return !(isOff(env) || isOff(prop));
    }

    private static boolean isOff(String v) {
        return v != null && List.of("0", "false", "off", "no").contains(v.trim().toLowerCase(Locale.ROOT));
    }

    /** The channel to each ring neighbour on this host (null elsewhere: TCP). Every rank must call it. */
    static ShmChannel[] negotiate(DistEnv env, StoreClient store, boolean enabled, long deadline) {
        int p = env.worldSize();
        int r = env.rank();
        ShmChannel[] out = new ShmChannel[p];
        if (p < 2) {
            return out;
        }
        String boot = enabled ? bootId() : null;
        Set<Integer> neighbours = new TreeSet<>(List.of((r + 1) % p, (r - 1 + p) % p));
        // Offers never wait and answers wait only for offers, so no pair waits on another in a cycle.
        Map<Integer, Path> offered = new TreeMap<>();
        for (int peer : neighbours) {
            if (r < peer) {
                offered.put(peer, offer(env, store, boot, r, peer, out));
            }
        }
        try {
            for (int peer : neighbours) {
                if (peer < r) {
                    accept(env, store, boot, peer, r, out, deadline);
                }
            }
            for (Map.Entry<Integer, Path> e : offered.entrySet()) {
                settle(env, store, r, e.getKey(), e.getValue(), out, deadline);
            }
            return out;
        } catch (RuntimeException e) { // a peer gone during set-up: the rendezvous fails; leave nothing mapped
            for (ShmChannel c : out) {
                if (c != null) {
                    c.close();
                }
            }
            throw e;
        } finally { // and nothing behind in /dev/shm
            offered.values().forEach(SharedMemory::delete);
        }
    }

    private static String pairKey(DistEnv env, String what, int a, int b) {
        return env.keyPrefix() + what + "/" + a + "-" + b;
    }

    /** Creator side: makes and maps the file, publishes where it is (or "none"). */
    private static Path offer(DistEnv env, StoreClient store, String boot, int self, int peer, ShmChannel[] out) {
        String offer = NONE;
        Path file = null;
        if (boot != null && Files.isDirectory(DIR)) {
            long nonce = new SecureRandom().nextLong();
            try {
                file = Files.createTempFile(DIR, "brisk-" + env.jobId() + "-" + self + "-" + peer + "-", ".ring",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                fill(file);
                out[peer] = ShmChannel.create(file, nonce);
                offer = boot + "\n" + file + "\n" + Long.toHexString(nonce);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "rank " + self + ": no shared memory with rank " + peer + " (" + e
                        + "); using TCP");
                delete(file);
                file = null;
            }
        }
        store.set(pairKey(env, "shm", self, peer), offer.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** Writes zeros through the whole file so the tmpfs pages exist (or the write fails with ENOSPC now). */
    private static void fill(Path file) throws IOException {
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < ShmChannel.FILE_BYTES; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), ShmChannel.FILE_BYTES - at));
                at += fc.write(zeros, at);
            }
        }
    }

    /** Opener side: maps the creator's file if it is on this host and carries the nonce; answers 1 or 0. */
    private static void accept(DistEnv env, StoreClient store, String boot, int creator, int self, ShmChannel[] out,
                               long deadline) {
        String offer = new String(await(store, pairKey(env, "shm", creator, self), creator, deadline),
                StandardCharsets.UTF_8);
        String[] f = offer.split("\n");
        boolean ok = false;
        if (boot != null && f.length == 3 && f[0].equals(boot)) {
            try {
                out[creator] = ShmChannel.open(Path.of(f[1]), Long.parseUnsignedLong(f[2], 16));
                ok = out[creator] != null;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "rank " + self + ": cannot map rank " + creator + "'s shared memory ("
                        + e + "); using TCP");
            }
        }
        store.set(pairKey(env, "shmok", creator, self), new byte[] {(byte) (ok ? 1 : 0)});
    }

    /** Creator side, after the peer answered: unlinks the file; unmaps it if the peer said no. */
    private static void settle(DistEnv env, StoreClient store, int self, int peer, Path file, ShmChannel[] out,
                               long deadline) {
        try {
            byte[] ok = await(store, pairKey(env, "shmok", self, peer), peer, deadline);
            if (ok.length != 1 || ok[0] != 1) {
                if (out[peer] != null) {
                    out[peer].close();
                    out[peer] = null;
                }
            }
        } finally {
            delete(file);
        }
    }

    private static byte[] await(StoreClient store, String key, int peer, long deadline) {
        byte[] v = store.waitAll(List.of(key), deadline).get(key);
        if (v == null) {
            throw new DistributedException("rendezvous", peer, "rendezvous timed out setting up shared memory with "
                    + "rank " + peer);
        }
        return v;
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // tmpfs: nothing else to do
            }
        }
    }

    private static String bootId() {
        try {
            return Files.readString(BOOT_ID).trim();
        } catch (IOException | RuntimeException e) {
            return null; // not Linux: no /dev/shm either
        }
    }
}
