package dev.brisk.monitor.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parameters a search varies, read from YAML: each top-level key is a config key (as for {@code --set}) and its
 * value says how to draw it:
 * <pre>
 * optim.lr:         {type: log_uniform, low: 1.0e-4, high: 0.1}
 * optim.name:       {type: categorical, values: [adam, sgd]}
 * optim.momentum:   {type: uniform, low: 0.8, high: 0.99, when: {optim.name: sgd}}
 * data.batch_size:  {type: int, low: 32, high: 256, log: true}
 * </pre>
 * Types: {@code uniform}, {@code log_uniform}, {@code int} (inclusive bounds, optional {@code log}) and
 * {@code categorical}. {@code when} makes a parameter conditional on earlier categorical ones (a value or a list of
 * values each); an inactive parameter is not set at all, so the config's own value applies.
 */
public record SearchSpace(List<Param> params) {

    private static final Set<String> FIELDS = Set.of("type", "low", "high", "log", "values", "when");

    public SearchSpace {
        params = List.copyOf(params);
        List<String> seen = new ArrayList<>();
        for (Param p : params) {
            if (seen.contains(p.key())) {
                throw new IllegalArgumentException(p.key() + ": defined twice");
            }
            for (String dep : p.when().keySet()) {
                Param d = params.stream().filter(q -> q.key().equals(dep)).findFirst().orElse(null);
                if (!seen.contains(dep) || !(d instanceof Param.Choice)) {
                    throw new IllegalArgumentException(p.key() + ".when: '" + dep + "' must be a categorical "
                            + "parameter defined above it");
                }
            }
            seen.add(p.key());
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the search space has no parameters");
        }
    }

    public static SearchSpace load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the search space: " + e.getMessage());
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    public static SearchSpace parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the search space must be a mapping of config keys to parameters");
        }
        List<Param> out = new ArrayList<>();
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            out.add(param(e.getKey(), e.getValue()));
        }
        return new SearchSpace(out);
    }

    private static Param param(String key, JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(key + ": expected {type: ..., ...}");
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(key + "." + f + ": unknown field (known: " + FIELDS + ")");
            }
        }
        Map<String, List<Object>> when = new LinkedHashMap<>();
        if (n.has("when")) {
            if (!n.get("when").isObject()) {
                throw new IllegalArgumentException(key + ".when: expected {param: value or [values]}");
            }
            for (var it = n.get("when").fields(); it.hasNext(); ) {
                var w = it.next();
                List<Object> vs = new ArrayList<>();
                if (w.getValue().isArray()) {
                    w.getValue().forEach(v -> vs.add(scalar(key + ".when", v)));
                } else {
                    vs.add(scalar(key + ".when", w.getValue()));
                }
                when.put(w.getKey(), vs);
            }
        }
        String type = n.path("type").asText("");
        boolean log = n.path("log").asBoolean(false);
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "uniform" -> new Param.Real(key, number(key, n, "low"), number(key, n, "high"), log, when);
            case "log_uniform", "loguniform" -> new Param.Real(key, number(key, n, "low"), number(key, n, "high"),
                    true, when);
            case "int" -> new Param.Int(key, (long) number(key, n, "low"), (long) number(key, n, "high"), log, when);
            case "categorical", "choice" -> {
                if (!n.path("values").isArray()) {
                    throw new IllegalArgumentException(key + ".values: a categorical parameter needs a list");
                }
                List<Object> vs = new ArrayList<>();
                n.get("values").forEach(v -> vs.add(scalar(key + ".values", v)));
                yield new Param.Choice(key, vs, when);
            }
            default -> throw new IllegalArgumentException(key + ".type: expected uniform, log_uniform, int or "
                    + "categorical, got '" + type + "'");
        };
    }

    private static double number(String key, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !(v.isNumber() || v.isTextual())) {
            throw new IllegalArgumentException(key + "." + field + ": a number is required");
        }
        try {
            return v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "." + field + ": not a number: '" + v.asText() + "'");
        }
    }

    private static Object scalar(String where, JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        throw new IllegalArgumentException(where + ": values must be numbers, strings or booleans, got " + v);
    }

    /** Values equal as config values: numbers by value (1 and 1.0 alike), the rest by their text. */
    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return String.valueOf(a).equals(String.valueOf(b));
    }

    /** The {@code key=value} overrides of an assignment, in space order. */
    public static List<String> toSets(Map<String, Object> assignment) {
        List<String> out = new ArrayList<>();
        assignment.forEach((k, v) -> out.add(k + "=" + format(v)));
        return out;
    }

    static String format(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.6g", d).trim();
        }
        return String.valueOf(v);
    }
}
