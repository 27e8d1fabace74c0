package dev.brisk.train.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    /** A file assembled byte by byte as the format describes: u64 LE length, JSON header, LE data. */
    private static byte[] handMade(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        out.writeBytes(len.array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] int32le(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    private static SafeTensors.Contents decode(byte[] file) throws Exception {
        return SafeTensors.decode(ByteBuffer.wrap(file), "test.safetensors");
    }

    private static String rejection(byte[] file) {
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> decode(file));
        assertTrue(e.getMessage().startsWith("test.safetensors: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsTheFormatsOwnExampleBuiltByHand() throws Exception {
        String header = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"__metadata__\":{\"foo\":\"bar\"}}";
        SafeTensors.Contents c = decode(handMade(header, int32le(1, 2, -3, 4)));
        Tensor t = c.tensors().get("test");
        assertEquals(DType.I32, t.dtype());
        assertArrayEquals(new int[] {2, 2}, t.shape());
        assertArrayEquals(new long[] {1, 2, -3, 4}, t.toLongArray());
        assertEquals(Map.of("foo", "bar"), c.metadata());
    }

    @Test
    void roundTripsEveryDtypeWithAlignedHeader(@TempDir Path dir) throws Exception {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("w", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 1e-30f, Float.NaN}, 2, 3));
        in.put("wt", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t());      // non-contiguous view
        in.put("b16", Tensor.of(new float[] {1f, 0.5f}, 2).to(DType.BF16));
        in.put("f16", Tensor.of(new float[] {1f, -0.25f}, 2).to(DType.F16));
        in.put("i8", Tensor.wrap(DType.I8, new byte[] {-128, 127}, 2));
        in.put("i64", Tensor.ofLongs(new long[] {Long.MIN_VALUE, 7}, 2));
        in.put("mask", Tensor.ofBools(new boolean[] {true, false, true}, 3));
        in.put("scalar", Tensor.scalar(42f));
        in.put("empty", Tensor.zeros(0, 4));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, in, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data must start 8-byte aligned");
        SafeTensors.Contents out = SafeTensors.read(f);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.tensors().keySet()));
        for (String k : in.keySet()) {
            Tensor a = in.get(k);
            Tensor b = out.tensors().get(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            if (a.dtype().isFloatingPoint()) {
                assertArrayEquals(a.toFloatArray(), b.toFloatArray(), k);
            } else {
                assertArrayEquals(a.toLongArray(), b.toLongArray(), k);
            }
        }
        assertEquals("pt", out.metadata().get("format"));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void rejectsMalformedFilesWithClearMessages() {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] good = handMade(ok, new byte[8]);

        assertTrue(rejection(new byte[5]).contains("too small"));
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertTrue(rejection(huge).contains("exceeds the limit"));
        byte[] past = good.clone();
        ByteBuffer.wrap(past).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        assertTrue(rejection(past).contains("past the end"));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertTrue(rejection(truncated).contains("buffer"));
        assertTrue(rejection(handMade(ok, new byte[12])).contains("without holes"));
        assertTrue(rejection(handMade("[" + ok.substring(1), new byte[8])).contains("start with '{'"));
        assertTrue(rejection(handMade("{\"a\":", new byte[0])).contains("not valid JSON"));
        assertTrue(rejection(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8])).contains("JSON"));
        assertTrue(rejection(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8])).contains("needs 12 bytes"));
        assertTrue(rejection(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]))
                .contains("'b'"));
        assertTrue(rejection(handMade("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                new byte[8])).contains("F64"));
        assertTrue(rejection(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}",
                new byte[8])).contains("invalid dimension"));
        assertTrue(rejection(handMade("{\"__metadata__\":{\"k\":1}}", new byte[0])).contains("must be a string"));
        byte[] badUtf8 = handMade("{\"\u00e9\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xC3;
        badUtf8[11] = (byte) 0x28;
        assertTrue(rejection(badUtf8).contains("UTF-8"));
    }
}
