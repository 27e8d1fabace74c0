package dev.brisk.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The store's wire format, after {@link Handshake}. A request is a command byte, a key (u16 length ≤ 1024,
 * UTF-8) and, for SET/ADD/CAS, operands; lengths are checked before allocation and an unknown command closes the
 * connection.
 * <pre>
 * SET 1  key, value (i32 length ≤ 1 MiB, bytes)           → 0
 * GET 2  key                                              → 0, value | 1 (absent)
 * ADD 3  key, delta i64                                   → 0, new value i64 (a counter stored as decimal text)
 * CAS 4  key, expected (i32 length, -1 = absent), desired → 0, value after the operation
 * </pre>
 */
final class StoreProtocol {

    static final int SET = 1;
    static final int GET = 2;
    static final int ADD = 3;
    static final int CAS = 4;
    static final int MAX_KEY = 1024;
    static final int MAX_VALUE = 1 << 20;

    private StoreProtocol() {
    }

    static void writeKey(DataOutputStream out, String key) throws IOException {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_KEY) {
            throw new IllegalArgumentException("store key of " + b.length + " bytes exceeds " + MAX_KEY);
        }
        out.writeShort(b.length);
        out.write(b);
    }

    static String readKey(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        if (n > MAX_KEY) {
            throw new IOException("store key of " + n + " bytes exceeds the limit of " + MAX_KEY);
        }
        return new String(readFully(in, n), StandardCharsets.UTF_8);
    }

    /** Writes a value; {@code null} is written as length -1 (absent). */
    static void writeValue(DataOutputStream out, byte[] v) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        if (v.length > MAX_VALUE) {
            throw new IllegalArgumentException("store value of " + v.length + " bytes exceeds " + MAX_VALUE);
        }
        out.writeInt(v.length);
        out.write(v);
    }

    static byte[] readValue(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < -1 || n > MAX_VALUE) {
            throw new IOException("store value of " + n + " bytes is outside [0, " + MAX_VALUE + "]");
        }
        return readFully(in, n);
    }

    private static byte[] readFully(DataInputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
