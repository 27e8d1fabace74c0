package dev.brisk.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed, key-checked reading of one YAML mapping of the config tree. Every getter names its key, so the section
 * learns which keys it understands; {@link #finish()} then rejects any other key, listing the known ones. A value of
 * the wrong type is an error naming the full key and the value; an explicit {@code null} is allowed only where the
 * key is nullable (the {@code opt...} getters).
 */
final class Section {

    private final String path;
    private final ObjectNode node;
    private final Set<String> known = new LinkedHashSet<>();

    Section(String path, ObjectNode node) {
        this.path = path;
        this.node = node;
    }

    /** {@code node} as a section, where a scalar stands for {@code {shorthand: scalar}} (null shorthand: no scalar). */
    static Section of(String path, JsonNode node, String shorthand) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new Section(path, JsonNodeFactory.instance.objectNode());
        }
        if (node.isObject()) {
            return new Section(path, (ObjectNode) node);
        }
        if (node.isValueNode() && shorthand != null) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.set(shorthand, node);
            return new Section(path, o);
        }
        throw new ConfigException(path, "expected a mapping" + (shorthand == null ? "" : " or a " + shorthand)
                + ", got " + describe(node));
    }

    String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    /** The raw value of {@code k}, or null when absent; marks {@code k} as known. */
    JsonNode raw(String k) {
        known.add(k);
        JsonNode v = node.get(k);
        return v == null || v.isMissingNode() ? null : v;
    }

    boolean has(String k) {
        return raw(k) != null;
    }

    Section section(String k, String shorthand) {
        return of(key(k), raw(k), shorthand);
    }

    String string(String k, String def) {
        String s = optString(k, def);
        if (s == null) {
            throw new ConfigException(key(k), "needs a value; remove the key to use the default");
        }
        return s;
    }

    String optString(String k, String def) {
        JsonNode v = raw(k);
        if (v == null) {
            return def;
        }
        if (v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(key(k), "expected a single value, got " + describe(v));
        }
        return v.asText();
    }

    <E> E choice(String k, E def, Map<String, E> allowed, String what) {
        String s = string(k, null == def ? null : keyOf(allowed, def));
        return lookup(key(k), s, allowed, what);
    }

    static <E> E lookup(String fullKey, String s, Map<String, E> allowed, String what) {
        E e = allowed.get(s.trim().toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new ConfigException(fullKey, "unknown " + what + " '" + s + "'; expected one of "
                    + List.copyOf(allowed.keySet()));
        }
        return e;
    }

    private static <E> String keyOf(Map<String, E> allowed, E value) {
        return allowed.entrySet().stream().filter(e -> e.getValue().equals(value)).map(Map.Entry::getKey)
                .findFirst().orElseThrow();
    }

    boolean bool(String k, boolean def) {
        JsonNode v = raw(k);
        if (v == null) {
            return def;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String s = v.isTextual() ? v.textValue().trim().toLowerCase(Locale.ROOT) : "";
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key(k), "expected true or false, got " + describe(v));
        };
    }

    double number(String k, double def) {
        Double d = optNumber(k, def);
        if (d == null) {
            throw new ConfigException(key(k), "needs a number; remove the key to use the default " + def);
        }
        return d;
    }

    Double optNumber(String k, Double def) {
        JsonNode v = raw(k);
        return v == null ? def : v.isNull() ? null : toDouble(key(k), v);
    }

    static double toDouble(String fullKey, JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.textValue().trim());
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new ConfigException(fullKey, "expected a number, got " + describe(v));
    }

    int integer(String k, int def) {
        return (int) range(k, whole(k, def), Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    Integer optInteger(String k, Integer def) {
        Long v = optWhole(k, def == null ? null : def.longValue());
        return v == null ? null : (int) range(k, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    long whole(String k, long def) {
        Long v = optWhole(k, def);
        if (v == null) {
            throw new ConfigException(key(k), "needs a whole number; remove the key to use the default " + def);
        }
        return v;
    }

    Long optWhole(String k, Long def) {
        JsonNode v = raw(k);
        return v == null ? def : v.isNull() ? null : toLong(key(k), v);
    }

    static long toLong(String fullKey, JsonNode v) {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        double d = v.isNumber() || v.isTextual() ? tryDouble(v) : Double.NaN;
        if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return (long) d; // 1e6, "1000", 64.0
        }
        throw new ConfigException(fullKey, "expected a whole number, got " + describe(v));
    }

    private static double tryDouble(JsonNode v) {
        try {
            return v.isNumber() ? v.doubleValue() : Double.parseDouble(v.textValue().trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private long range(String k, long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw new ConfigException(key(k), "must be in " + lo + ".." + hi + ", got " + v);
        }
        return v;
    }

    /** A list (a single scalar counts as a list of one); absent gives {@code def}, null gives []. */
    <T> List<T> list(String k, List<T> def, Function<IndexedValue, T> element) {
        JsonNode v = raw(k);
        if (v == null) {
            return def;
        }
        if (v.isNull()) {
            return List.of();
        }
        if (v.isObject()) {
            throw new ConfigException(key(k), "expected a list, got " + describe(v));
        }
        List<T> out = new ArrayList<>();
        if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                out.add(element.apply(new IndexedValue(key(k) + "[" + i + "]", v.get(i))));
            }
        } else {
            out.add(element.apply(new IndexedValue(key(k), v)));
        }
        return out;
    }

    /** One list element with its full key ({@code data.files[1]}). */
    record IndexedValue(String key, JsonNode value) {
        String text() {
            if (value == null || !value.isValueNode() || value.isNull()) {
                throw new ConfigException(key, "expected a single value, got " + describe(value));
            }
            return value.asText();
        }
    }

    /** Rejects every key no getter asked for, with the known keys and a guess at the one meant. */
    void finish() {
        finish(path.isEmpty() ? null : "in " + path);
    }

    /** As {@link #finish()}, saying whose keys these are ({@code "of the cosine schedule"}). */
    void finish(String owner) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                String guess = closest(k, known);
                throw new ConfigException(key(k), "unknown key" + (owner == null ? "" : " " + owner)
                        + (guess == null ? "" : " (did you mean '" + guess + "'?)") + "; expected one of " + known);
            }
        }
    }

    static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "'" + v.textValue() + "'";
        }
        if (v.isObject()) {
            return "a mapping " + v;
        }
        if (v.isArray()) {
            return "a list " + v;
        }
        return v.toString();
    }

    /** The known key within edit distance 2 of {@code k}, if any. */
    static String closest(String k, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String c : known) {
            int d = editDistance(k, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
