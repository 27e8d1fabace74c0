package dev.brisk.dist;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where this process sits in a distributed job, read from the environment the launcher sets:
 *
 * <table>
 *   <caption>variables</caption>
 *   <tr><td>{@code RANK}, {@code WORLD_SIZE}</td><td>this rank and the number of ranks; both unset means a
 *       single process (rank 0 of 1)</td></tr>
 *   <tr><td>{@code LOCAL_RANK}</td><td>rank on this host (default {@code RANK})</td></tr>
 *   <tr><td>{@code BRISK_MASTER_ADDR}, {@code BRISK_MASTER_PORT}</td><td>where rank 0 hosts the store (default
 *       127.0.0.1:29500)</td></tr>
 *   <tr><td>{@code BRISK_DIST_TOKEN}</td><td>the shared secret, at least 16 characters, required when
 *       {@code WORLD_SIZE > 1}</td></tr>
 *   <tr><td>{@code BRISK_DIST_TIMEOUT}</td><td>seconds per operation and for the rendezvous (default 300)</td></tr>
 *   <tr><td>{@code BRISK_JOB_ID}, {@code BRISK_GENERATION}</td><td>prefix of every store key; the launcher bumps
 *       the generation on each restart (defaults {@code brisk}, 0)</td></tr>
 *   <tr><td>{@code BRISK_DIST_SHM}</td><td>{@code 0} keeps ring neighbours on one host on TCP instead of shared
 *       memory (read by {@link SharedMemory}; default on)</td></tr>
 *   <tr><td>{@code BRISK_BIND_ADDR}</td><td>interface the store and mesh listen on; unset means loopback, and a
 *       non-loopback master address then needs it set explicitly</td></tr>
 * </table>
 * Every value is validated here, with a message that names the variable and the fix.
 */
public record DistEnv(String masterAddr, int masterPort, int rank, int worldSize, int localRank, String token,
                      Duration timeout, String jobId, long generation, String bindAddr) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);
    public static final int DEFAULT_PORT = 29500;
    static final int MIN_TOKEN_LENGTH = 16;

    public DistEnv {
        Objects.requireNonNull(masterAddr, "masterAddr");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(jobId, "jobId");
        if (worldSize < 1) {
            throw new IllegalArgumentException("WORLD_SIZE must be >= 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("RANK must be in [0, WORLD_SIZE) = [0, " + worldSize + "), got "
                    + rank);
        }
        if (localRank < 0) {
            throw new IllegalArgumentException("LOCAL_RANK must be >= 0, got " + localRank);
        }
        if (masterPort < 1 || masterPort > 65535) {
            throw new IllegalArgumentException("BRISK_MASTER_PORT must be in [1, 65535], got " + masterPort);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("BRISK_DIST_TIMEOUT must be positive, got " + timeout);
        }
        if (!jobId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("BRISK_JOB_ID must be 1-128 characters of [A-Za-z0-9._-], got '"
                    + jobId + "'");
        }
        if (generation < 0) {
            throw new IllegalArgumentException("BRISK_GENERATION must be >= 0, got " + generation);
        }
        if (worldSize > 1 && (token == null || token.length() < MIN_TOKEN_LENGTH)) {
            throw new IllegalArgumentException("BRISK_DIST_TOKEN must be set to the same secret of at least "
                    + MIN_TOKEN_LENGTH + " characters on every rank when WORLD_SIZE > 1 (e.g. the output of "
                    + "'openssl rand -hex 32'); " + (token == null ? "it is unset" : "it has " + token.length()));
        }
        if (worldSize > 1 && bindAddr == null && !isLoopback(masterAddr)) {
            throw new IllegalArgumentException("BRISK_MASTER_ADDR=" + masterAddr + " is not a loopback address, "
                    + "but servers bind to loopback unless told otherwise: set BRISK_BIND_ADDR to the interface "
                    + "address to listen on (an explicit opt-in to external interfaces)");
        }
    }

    /** A single process: rank 0 of 1. */
    public static DistEnv single() {
        return new DistEnv("127.0.0.1", DEFAULT_PORT, 0, 1, 0, null, DEFAULT_TIMEOUT, "brisk", 0, null);
    }

    /** Reads {@link System#getenv()}. */
    public static DistEnv fromEnv() {
        return from(System.getenv());
    }

    /** Reads the variables from {@code env}. */
    public static DistEnv from(Map<String, String> env) {
        String rank = env.get("RANK");
        String world = env.get("WORLD_SIZE");
        if (rank == null && world == null) {
            return single();
        }
        if (rank == null || world == null) {
            throw new IllegalArgumentException("set both RANK and WORLD_SIZE (or neither, for one process); only "
                    + (rank == null ? "WORLD_SIZE" : "RANK") + " is set");
        }
        int r = parseInt(env, "RANK", null);
        int w = parseInt(env, "WORLD_SIZE", null);
        int local = parseInt(env, "LOCAL_RANK", r);
        String addr = env.getOrDefault("BRISK_MASTER_ADDR", "127.0.0.1").trim();
        int port = parseInt(env, "BRISK_MASTER_PORT", DEFAULT_PORT);
        Duration timeout = DEFAULT_TIMEOUT;
        String t = env.get("BRISK_DIST_TIMEOUT");
        if (t != null) {
            try {
                timeout = Duration.ofMillis(Math.round(Double.parseDouble(t.trim()) * 1000));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("BRISK_DIST_TIMEOUT must be a number of seconds, got '" + t + "'");
            }
        }
        String gen = env.get("BRISK_GENERATION");
        long generation;
        try {
            generation = gen == null ? 0 : Long.parseLong(gen.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BRISK_GENERATION must be an integer, got '" + gen + "'");
        }
        return new DistEnv(addr, port, r, w, local, env.get("BRISK_DIST_TOKEN"), timeout,
                env.getOrDefault("BRISK_JOB_ID", "brisk"), generation, env.get("BRISK_BIND_ADDR"));
    }

    private static int parseInt(Map<String, String> env, String name, Integer dflt) {
        String v = env.get(name);
        if (v == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(name + " is not set");
            }
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }

    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The address servers bind: {@code BRISK_BIND_ADDR}, else loopback (IPv4 or IPv6 to match the master). */
    public InetAddress bindAddress() {
        try {
            if (bindAddr != null) {
                return InetAddress.getByName(bindAddr);
            }
            return masterAddr.contains(":") ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("BRISK_BIND_ADDR='" + bindAddr + "' does not resolve: "
                    + e.getMessage());
        }
    }

    /** The prefix of this group's store keys. */
    String keyPrefix() {
        return jobId + "/" + generation + "/";
    }

    public DistEnv withRank(int newRank) {
        return new DistEnv(masterAddr, masterPort, newRank, worldSize, newRank, token, timeout, jobId, generation,
                bindAddr);
    }

    @Override
    public String toString() {
        return "DistEnv[rank " + rank + " of " + worldSize + ", local " + localRank + ", master " + masterAddr + ":"
                + masterPort + ", job " + jobId + "/" + generation + ", timeout " + timeout.toMillis() + " ms"
                + (bindAddr == null ? "" : ", bind " + bindAddr) + ", token " + (token == null ? "unset" : "set")
                + "]";
    }
}
