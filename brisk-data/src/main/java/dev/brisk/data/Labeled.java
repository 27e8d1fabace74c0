package dev.brisk.data;

import java.util.Objects;

/** A sample with a class label: {@code input} and its class index {@code label} ≥ 0. */
public record Labeled<X>(X input, int label) {

    public Labeled {
        Objects.requireNonNull(input, "input");
        if (label < 0) {
            throw new IllegalArgumentException("class label must be ≥ 0, got " + label);
        }
    }

    /** Lifts a transform of inputs to one of labeled samples that keeps the label. */
    public static <A, B> Transform<Labeled<A>, Labeled<B>> inputs(Transform<? super A, ? extends B> t) {
        return (sample, rng) -> new Labeled<>(t.apply(sample.input(), rng), sample.label());
    }
}
