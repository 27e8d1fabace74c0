package dev.brisk.train.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a run configuration: a YAML file (or none: every default), then {@code --set key=value} overrides, then the
 * mapping to {@link TrainConfig}, where every key is checked.
 *
 * <ol>
 *   <li>The YAML is read into a tree (duplicate keys are an error). The top-level aliases {@code batch_size} (=
 *       {@code data.batch_size}) and {@code lr} (= {@code optim.lr}) are moved to their sections; giving both
 *       spellings with different values is an error.
 *   <li>Each override {@code key=value} sets one dotted key ({@code optim.lr=3e-4}, {@code steps=100},
 *       {@code batch_size=32}); the value is read as YAML ({@code 3e-4} is a number, {@code [crop, flip]} a list,
 *       {@code null} is null), missing sections are created, and a section written as a scalar shorthand
 *       ({@code model: transformer}) is expanded ({@code model.blocks=4} then works). Lists are replaced whole.
 *       Later overrides win.
 *   <li>The tree is mapped to the records. An unknown key, a wrong type or a value out of range is a
 *       {@link ConfigException} naming the full key, the value and what is allowed, prefixed by where the value
 *       came from (the file, or the {@code --set} override).
 * </ol>
 */
public final class ConfigLoader {

    /** Top-level aliases and the keys they stand for. */
    public static final Map<String, String> ALIASES = Map.of("batch_size", "data.batch_size", "lr", "optim.lr");

    static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private ConfigLoader() {}

    /** Every default, then {@code overrides}. */
    public static TrainConfig load(List<String> overrides) {
        return parse("", null, overrides);
    }

    /** {@code file} (YAML), then {@code overrides}. */
    public static TrainConfig load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(null, file.toString(), "config file not found — pass the path of a YAML "
                    + "config such as examples/cnn-bn.yaml, or none for the defaults");
        } catch (IOException e) {
            throw new ConfigException(null, file.toString(), "cannot read the config file: " + e);
        }
        return parse(text, file.toString(), overrides);
    }

    /**
     * {@code yaml} (named {@code source} in errors; may be null), then {@code overrides}.
     *
     * @throws ConfigException for anything that is not a valid configuration
     */
    public static TrainConfig parse(String yaml, String source, List<String> overrides) {
        ObjectNode root = readTree(yaml, source);
        resolveAliases(root, source);
        Map<String, String> setBy = new LinkedHashMap<>();
        for (String assignment : overrides) {
            String key = applyOverride(root, assignment);
            setBy.put(key, assignment);
        }
        try {
            return ConfigReader.read(root);
        } catch (ConfigException e) {
            throw e.from(origin(e.key(), setBy, source));
        }
    }

    private static ObjectNode readTree(String yaml, String source) {
        JsonNode node;
        try {
            node = yaml.isBlank() ? null : YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigException(source, at == null ? "yaml" : "line " + at.getLineNr() + ", column "
                    + at.getColumnNr(), "not valid YAML: " + e.getOriginalMessage());
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException(source, "(top level)", "expected a mapping of keys (model:, data:, optim:, "
                    + "...), got " + Section.describe(node));
        }
        return (ObjectNode) node;
    }

    private static void resolveAliases(ObjectNode root, String source) {
        ALIASES.forEach((alias, target) -> {
            JsonNode v = root.remove(alias);
            if (v == null) {
                return;
            }
            JsonNode existing = get(root, target);
            if (existing != null && !existing.equals(v)) {
                throw new ConfigException(source, alias, "given both as " + alias + " (" + v + ") and " + target
                        + " (" + existing + "); keep one");
            }
            set(root, target, v, source);
        });
    }

    /** Applies {@code key=value}; returns the canonical key. */
    private static String applyOverride(ObjectNode root, String assignment) {
        int eq = assignment.indexOf('=');
        String origin = "--set " + assignment;
        if (eq <= 0) {
            throw new ConfigException(origin, assignment, "an override must look like key=value, e.g. optim.lr=3e-4"
                    + " or batch_size=32");
        }
        String key = assignment.substring(0, eq).trim();
        if (!KEY.matcher(key).matches()) {
            throw new ConfigException(origin, key, "not a dotted key of letters, digits, '_' and '-' (e.g. "
                    + "data.batch_size)");
        }
        key = ALIASES.getOrDefault(key, key);
        String text = assignment.substring(eq + 1);
        JsonNode value;
        try {
            value = text.isBlank() ? NullNode.getInstance() : YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(origin, key, "cannot read the value '" + text + "' as YAML: "
                    + e.getOriginalMessage());
        }
        set(root, key, value == null || value.isMissingNode() ? NullNode.getInstance() : value, origin);
        return key;
    }

    private static JsonNode get(ObjectNode root, String dotted) {
        JsonNode n = root;
        for (String part : dotted.split("\\.")) {
            n = n == null || !n.isObject() ? null : n.get(part);
        }
        return n;
    }

    /** Sets a dotted key, creating sections and expanding scalar shorthands on the way. */
    private static void set(ObjectNode root, String dotted, JsonNode value, String origin) {
        String[] parts = dotted.split("\\.");
        ObjectNode n = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = n.get(parts[i]);
            String here = String.join(".", List.of(parts).subList(0, i + 1));
            if (child == null || child.isNull()) {
                n = n.putObject(parts[i]);
            } else if (child.isObject()) {
                n = (ObjectNode) child;
            } else if (i == 0 && child.isValueNode() && ConfigReader.SHORTHANDS.containsKey(parts[0])) {
                ObjectNode expanded = JsonNodeFactory.instance.objectNode();
                expanded.set(ConfigReader.SHORTHANDS.get(parts[0]), child);
                n.set(parts[0], expanded);
                n = expanded;
            } else {
                throw new ConfigException(origin, dotted, "cannot set a key inside " + here + ", which is "
                        + Section.describe(child) + " (lists are replaced whole, e.g. " + here + "=[...])");
            }
        }
        n.set(parts[parts.length - 1], value);
    }

    /** The override that set {@code key} (or a section containing it, or a key inside it), else {@code source}. */
    private static String origin(String key, Map<String, String> setBy, String source) {
        String best = null;
        int bestLength = -1;
        for (Map.Entry<String, String> e : setBy.entrySet()) {
            String k = e.getKey();
            boolean related = key.equals(k) || key.startsWith(k + ".") || key.startsWith(k + "[")
                    || k.startsWith(key + ".");
            if (related && k.length() > bestLength) {
                best = e.getValue();
                bestLength = k.length();
            }
        }
        return best != null ? "--set " + best : source;
    }
}
