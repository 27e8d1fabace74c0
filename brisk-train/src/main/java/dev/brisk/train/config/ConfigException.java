package dev.brisk.train.config;

import java.util.Objects;

/**
 * A configuration value that cannot be used: the full dotted key ({@code optim.lr}, {@code model.layers[2].conv2d})
 * and what is wrong with it, including the value given and what is allowed, e.g.
 * {@code optim.name: unknown optimizer 'adamx'; expected one of [sgd, adam, adamw, rmsprop, adagrad, lamb, lars]}.
 * When the loader knows where the value came from (a file, or a {@code --set} override) the message starts with it.
 * The CLI turns this into exit code 2.
 */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String key;
    private final String problem;

    public ConfigException(String key, String problem) {
        this(null, key, problem);
    }

    public ConfigException(String source, String key, String problem) {
        super((source == null ? "" : source + ": ") + Objects.requireNonNull(key, "key") + ": "
                + Objects.requireNonNull(problem, "problem"));
        this.source = source;
        this.key = key;
        this.problem = problem;
    }

    /** The full dotted key, e.g. {@code data.batch_size}. */
    public String key() {
        return key;
    }

    /** What is wrong, without the key. */
    public String problem() {
        return problem;
    }

    /** The file or {@code --set} override the value came from, or null when unknown. */
    public String source() {
        return source;
    }

    /** This error with its key placed under {@code prefix} ({@code conv2d.kernel} → {@code model.layers[2].conv2d.kernel}). */
    public ConfigException under(String prefix) {
        return new ConfigException(source, prefix + "." + key, problem);
    }

    /** This error, attributed to {@code source} (kept if it already has one). */
    public ConfigException from(String source) {
        return this.source != null || source == null ? this : new ConfigException(source, key, problem);
    }

    /** Throws a {@link ConfigException} for {@code key} unless {@code ok}. */
    static void check(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException(key, problem);
        }
    }
}
