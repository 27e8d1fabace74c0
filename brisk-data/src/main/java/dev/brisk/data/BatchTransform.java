package dev.brisk.data;

import dev.brisk.tensor.Rng;

/** A transform of a whole collated batch (mixup), seeded per batch by the loader. */
@FunctionalInterface
public interface BatchTransform {

    Batch apply(Batch batch, Rng rng);
}
