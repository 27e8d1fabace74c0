package dev.brisk.train.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, exactly as specified: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}}, padded with
 * spaces so the data starts 8-byte aligned), then the little-endian row-major data with no holes.
 *
 * <p>Reading validates everything before touching tensor data, in the reference reader's order: header size
 * bounds, UTF-8, '{' first, JSON without duplicate keys, offsets sorted and contiguous from 0, byte sizes equal to
 * Π shape × dtype size (checked arithmetic), and the buffer fully covered. Nothing is deserialised but JSON.
 */
public final class SafeTensors {

    /** The reference implementation's cap on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(8).maxNumberLength(32).maxStringLength(1 << 20).build());
    }

    /** Tensors in file order plus the optional string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    private SafeTensors() {
    }

    /** Writes {@code tensors} (any layout; written contiguous) atomically to {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        AtomicFiles.write(file, encode(tensors, metadata));
    }

    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new SafeTensorsFormatException(file + ": files over 2 GiB are not supported yet (" + size + " bytes)");
        }
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        return decode(buf, file.toString());
    }

    /** The file's bytes for {@code tensors} in iteration order. */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<Tensor> ordered = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            Tensor t = e.getValue().contiguous();
            long bytes = (long) t.numel() * t.dtype().byteSize();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = info.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
            ordered.add(t);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 8 + 7) / 8 * 8 - 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IOException("safetensors output of " + total + " bytes exceeds the 2 GiB supported so far");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : ordered) {
            putData(out, t);
        }
        return out.array();
    }

    /** Parses and validates {@code buf} (the whole file); {@code name} goes into error messages. */
    public static Contents decode(ByteBuffer buf, String name) throws SafeTensorsFormatException {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long fileLen = b.remaining();
        if (fileLen < 8) {
            throw bad(name, "file is " + fileLen + " bytes, too small for the 8-byte header length");
        }
        long n = b.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw bad(name, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES
                    + " bytes (corrupt or not a safetensors file)");
        }
        if (8 + n > fileLen) {
            throw bad(name, "header length " + n + " runs past the end of the " + fileLen + "-byte file (truncated?)");
        }
        byte[] hb = new byte[(int) n];
        b.get(8, hb);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(hb)).toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "header is not valid UTF-8");
        }
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw bad(name, "header must start with '{'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(name, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(name, "header must be a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                if (!f.getValue().isObject()) {
                    throw bad(name, "__metadata__ must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = f.getValue().fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw bad(name, "__metadata__ value for '" + kv.getKey() + "' must be a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            entries.add(entry(name, f.getKey(), f.getValue()));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expect = 0;
        for (Entry e : sorted) {
            if (e.begin != expect || e.end < e.begin) {
                throw bad(name, "tensor '" + e.name + "' has data_offsets [" + e.begin + ", " + e.end + "] but the "
                        + "data must be contiguous and non-overlapping (expected it to start at " + expect + ")");
            }
            long bytes = e.elements * e.dtype.byteSize();
            if (bytes != e.end - e.begin) {
                throw bad(name, "tensor '" + e.name + "' of dtype " + e.dtype + " and shape " + java.util.Arrays.toString(
                        e.shape) + " needs " + bytes + " bytes but data_offsets give " + (e.end - e.begin));
            }
            expect = e.end;
        }
        long dataStart = 8 + n;
        if (dataStart + expect != fileLen) {
            throw bad(name, "the data buffer is " + (fileLen - dataStart) + " bytes but the tensors cover " + expect
                    + " (the buffer must be fully indexed, without holes or trailing bytes)");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name, readTensor(b, (int) (dataStart + e.begin), e));
        }
        return new Contents(tensors, metadata);
    }

    private record Entry(String name, DType dtype, int[] shape, long elements, long begin, long end) {
    }

    private static Entry entry(String file, String tensor, JsonNode info) throws SafeTensorsFormatException {
        if (!info.isObject()) {
            throw bad(file, "entry '" + tensor + "' must be an object with dtype, shape and data_offsets");
        }
        JsonNode dt = info.get("dtype");
        JsonNode shape = info.get("shape");
        JsonNode offs = info.get("data_offsets");
        if (dt == null || !dt.isTextual() || shape == null || !shape.isArray() || offs == null || !offs.isArray()
                || offs.size() != 2) {
            throw bad(file, "entry '" + tensor + "' needs \"dtype\" (string), \"shape\" (array) and \"data_offsets\" "
                    + "([begin, end])");
        }
        for (Iterator<String> it = info.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw bad(file, "entry '" + tensor + "' has unknown field '" + k + "'");
            }
        }
        DType dtype;
        try {
            dtype = DType.valueOf(dt.asText());
        } catch (IllegalArgumentException e) {
            throw bad(file, "tensor '" + tensor + "' has dtype " + dt.asText() + ", which Brisk does not support "
                    + "(supported: F32, BF16, F16, I8, I32, I64, BOOL)");
        }
        int[] dims = new int[shape.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw bad(file, "tensor '" + tensor + "' has an invalid dimension " + d + " in its shape");
            }
            dims[i] = (int) d.asLong();
            try {
                elements = Math.multiplyExact(elements, dims[i]);
            } catch (ArithmeticException ex) {
                throw bad(file, "tensor '" + tensor + "' shape overflows");
            }
        }
        if (elements > Integer.MAX_VALUE - 16) {
            throw bad(file, "tensor '" + tensor + "' has " + elements + " elements; at most 2^31 are supported");
        }
        JsonNode b0 = offs.get(0);
        JsonNode b1 = offs.get(1);
        if (!b0.isIntegralNumber() || !b1.isIntegralNumber() || !b0.canConvertToLong() || !b1.canConvertToLong()
                || b0.asLong() < 0 || b1.asLong() < 0) {
            throw bad(file, "tensor '" + tensor + "' has invalid data_offsets " + offs);
        }
        return new Entry(tensor, dtype, dims, elements, b0.asLong(), b1.asLong());
    }

    private static Tensor readTensor(ByteBuffer b, int start, Entry e) {
        int n = (int) e.elements;
        ByteBuffer s = b.slice(start, (int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        Object array = switch (e.dtype) {
            case F32 -> {
                float[] a = new float[n];
                s.asFloatBuffer().get(a);
                yield a;
            }
            case BF16, F16 -> {
                short[] a = new short[n];
                s.asShortBuffer().get(a);
                yield a;
            }
            case I8 -> {
                byte[] a = new byte[n];
                s.get(a);
                yield a;
            }
            case I32 -> {
                int[] a = new int[n];
                s.asIntBuffer().get(a);
                yield a;
            }
            case I64 -> {
                long[] a = new long[n];
                s.asLongBuffer().get(a);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = s.get(i) != 0;
                }
                yield a;
            }
        };
        return Tensor.wrap(e.dtype, array, e.shape.length == 0 ? new int[0] : e.shape).reshape(e.shape);
    }

    private static void putData(ByteBuffer out, Tensor t) {
        int off = t.offset();
        int n = t.numel();
        switch (t.dtype()) {
            case F32 -> {
                float[] a = t.storage().floats();
                for (int i = 0; i < n; i++) {
                    out.putFloat(a[off + i]);
                }
            }
            case BF16, F16 -> {
                short[] a = t.storage().shorts();
                for (int i = 0; i < n; i++) {
                    out.putShort(a[off + i]);
                }
            }
            case I8 -> out.put(t.storage().bytes(), off, n);
            case I32 -> {
                int[] a = t.storage().ints();
                for (int i = 0; i < n; i++) {
                    out.putInt(a[off + i]);
                }
            }
            case I64 -> {
                long[] a = t.storage().longs();
                for (int i = 0; i < n; i++) {
                    out.putLong(a[off + i]);
                }
            }
            case BOOL -> {
                boolean[] a = t.storage().bools();
                for (int i = 0; i < n; i++) {
                    out.put((byte) (a[off + i] ? 1 : 0));
                }
            }
        }
    }

    private static SafeTensorsFormatException bad(String file, String problem) {
        return new SafeTensorsFormatException(file + ": " + problem);
    }
}
