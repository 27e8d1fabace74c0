package dev.brisk.data;

import dev.brisk.tensor.Rng;

/**
 * A per-sample transform {@code A -> B}. Random transforms draw only from the {@code rng} they are given, which
 * the {@link DataLoader} derives from {@code (seed, epoch, position, index)}: results are then reproducible
 * regardless of worker scheduling. Transforms must not modify their input (datasets may share it).
 */
@FunctionalInterface
public interface Transform<A, B> {

    B apply(A input, Rng rng);

    /** This transform, then {@code next}, drawing from the same generator in that order. */
    default <C> Transform<A, C> andThen(Transform<? super B, ? extends C> next) {
        return (input, rng) -> next.apply(apply(input, rng), rng);
    }

    static <A> Transform<A, A> identity() {
        return (input, rng) -> input;
    }
}
