package dev.brisk.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.IntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge-response authentication of every Brisk connection (store, mesh, benchmark), with a shared
 * secret ({@code BRISK_DIST_TOKEN}) that never crosses the wire.
 *
 * <pre>
 * client → server  HELLO     magic "BRSK" u32, version u16, purpose u8, client rank i32,
 *                            job (u16 length ≤ 256, UTF-8), generation i64, nonceC[32]
 * server → client  CHALLENGE magic u32, server rank i32, nonceS[32], macS[32]
 * client → server  PROOF     macC[32]
 * server → client  VERDICT   u8 0 = accepted / 1 = refused, reason (u16 length ≤ 512, UTF-8)
 *
 * transcript = "brisk-v1" ‖ purpose ‖ client rank ‖ job ‖ generation ‖ server rank ‖ nonceC ‖ nonceS
 * macS = HMAC-SHA256(secret, "S" ‖ transcript),  macC = HMAC-SHA256(secret, "C" ‖ transcript)
 * </pre>
 * Both nonces are fresh random, so a recorded proof cannot be replayed; the S/C labels keep a server's answer
 * from being reflected as a client proof. The server checks job, generation and the claimed rank only after the
 * proof, so an unauthenticated peer learns nothing; every refusal is logged by the caller. Lengths are checked
 * before anything is allocated, and every read is bounded by the socket's read timeout.
 */
final class Handshake {

    static final int MAGIC = 0x4252534B;
    static final int VERSION = 1;
    private static final int NONCE = 32;
    private static final int MAX_JOB = 256;
    private static final int MAX_REASON = 512;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a connection is for; a store client cannot pose as a mesh peer. */
    enum Purpose { STORE, MESH, BENCH }

    /** The server refused the connection (or the client failed to prove the secret). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    private Handshake() {
    }

    /**
     * Client side: proves the secret, checks the server's proof and verdict; returns the server's rank.
     * Throws {@link Refused} with the server's reason, or if the server does not know the secret.
     */
    static int client(InputStream rawIn, OutputStream rawOut, byte[] secret, Purpose purpose, int rank,
                      String job, long generation) throws IOException, Refused {
        DataInputStream in = new DataInputStream(rawIn);
        DataOutputStream out = new DataOutputStream(rawOut);
        byte[] jobBytes = job.getBytes(StandardCharsets.UTF_8);
        byte[] nonceC = nonce();
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeByte(purpose.ordinal());
        out.writeInt(rank);
        out.writeShort(jobBytes.length);
        out.write(jobBytes);
        out.writeLong(generation);
        out.write(nonceC);
        out.flush();
        if (in.readInt() != MAGIC) {
            throw new Refused("the server is not a Brisk peer (bad magic)");
        }
        int serverRank = in.readInt();
        byte[] nonceS = in.readNBytes(NONCE);
        byte[] macS = in.readNBytes(NONCE);
        if (nonceS.length != NONCE || macS.length != NONCE) {
            throw new IOException("connection closed during authentication");
        }
        byte[] transcript = transcript(purpose, rank, jobBytes, generation, serverRank, nonceC, nonceS);
        out.write(hmac(secret, 'C', transcript));
        out.flush();
        if (!MessageDigest.isEqual(macS, hmac(secret, 'S', transcript))) {
            throw new Refused("the server failed to prove the shared secret (is BRISK_DIST_TOKEN the same on "
                    + "every rank?)");
        }
        int verdict = in.readUnsignedByte();
        String reason = readString(in, MAX_REASON);
        if (verdict != 0) {
            throw new Refused(reason);
        }
        return serverRank;
    }

    /**
     * Server side: checks the client's proof, then asks {@code admit} about the claimed rank (null = admit, else
     * the refusal reason); returns the client's rank. Throws {@link Refused} after telling the client why.
     */
    static int server(InputStream rawIn, OutputStream rawOut, byte[] secret, Purpose purpose, int rank,
                      String job, long generation, IntFunction<String> admit) throws IOException, Refused {
        DataInputStream in = new DataInputStream(rawIn);
        DataOutputStream out = new DataOutputStream(rawOut);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new Refused(String.format("not a Brisk peer (magic 0x%08x, expected 0x%08x)", magic, MAGIC));
        }
        int version = in.readUnsignedShort();
        int clientPurpose = in.readUnsignedByte();
        int clientRank = in.readInt();
        int jobLength = in.readUnsignedShort();
        if (jobLength > MAX_JOB) {
            throw new Refused("job id of " + jobLength + " bytes exceeds " + MAX_JOB);
        }
        byte[] clientJob = in.readNBytes(jobLength);
        long clientGeneration = in.readLong();
        byte[] nonceC = in.readNBytes(NONCE);
        if (clientJob.length != jobLength || nonceC.length != NONCE) {
            throw new Refused("connection closed during authentication");
        }
        byte[] nonceS = nonce();
        byte[] transcript = transcript(Purpose.values()[Math.min(clientPurpose, Purpose.values().length - 1)],
                clientRank, clientJob, clientGeneration, rank, nonceC, nonceS);
        out.writeInt(MAGIC);
        out.writeInt(rank);
        out.write(nonceS);
        out.write(hmac(secret, 'S', transcript));
        out.flush();
        byte[] macC = in.readNBytes(NONCE);
        if (macC.length != NONCE) {
            throw new Refused("client rank " + clientRank + " closed the connection during authentication "
                    + "(it probably could not verify our proof: different BRISK_DIST_TOKEN)");
        }
        String reason = null;
        if (!MessageDigest.isEqual(macC, hmac(secret, 'C', transcript))) {
            reason = "authentication failed: the peer does not know the shared secret (BRISK_DIST_TOKEN)";
        } else if (version != VERSION) {
            reason = "protocol version " + version + ", expected " + VERSION;
        } else if (clientPurpose != purpose.ordinal()) {
            reason = "wrong endpoint: this is a " + purpose + " server";
        } else if (!job.equals(new String(clientJob, StandardCharsets.UTF_8)) || clientGeneration != generation) {
            reason = "job '" + new String(clientJob, StandardCharsets.UTF_8) + "' generation " + clientGeneration
                    + " does not match this group's job '" + job + "' generation " + generation;
        } else {
            reason = admit.apply(clientRank);
        }
        out.writeByte(reason == null ? 0 : 1);
        writeString(out, reason == null ? "" : reason);
        out.flush();
        if (reason != null) {
            throw new Refused(reason);
        }
        return clientRank;
    }

    private static byte[] transcript(Purpose purpose, int clientRank, byte[] job, long generation, int serverRank,
                                     byte[] nonceC, byte[] nonceS) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        d.write("brisk-v1".getBytes(StandardCharsets.US_ASCII));
        d.writeByte(purpose.ordinal());
        d.writeInt(clientRank);
        d.writeShort(job.length);
        d.write(job);
        d.writeLong(generation);
        d.writeInt(serverRank);
        d.write(nonceC);
        d.write(nonceS);
        return bytes.toByteArray();
    }

    private static byte[] hmac(byte[] secret, char label, byte[] transcript) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((byte) label);
            return mac.doFinal(transcript);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in, int max) throws IOException {
        int n = in.readUnsignedShort();
        if (n > max) {
            throw new IOException("string of " + n + " bytes exceeds the limit of " + max);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("connection closed mid-message");
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
