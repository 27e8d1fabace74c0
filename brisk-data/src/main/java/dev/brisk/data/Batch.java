package dev.brisk.data;

import dev.brisk.tensor.Tensor;
import java.util.Objects;

/**
 * One collated batch: {@code inputs} (N, ...), {@code targets} (N) class indices as I64 or (N, ...) such as
 * soft labels (N, classes) F32 after mixup or next tokens (N, T) I64; {@code indices} are the dataset indices of
 * the N samples, in batch order.
 */
public record Batch(Tensor inputs, Tensor targets, int[] indices) {

    public Batch {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(indices, "indices");
        if (inputs.dim() == 0 || targets.dim() == 0 || inputs.size(0) != indices.length
                || targets.size(0) != indices.length) {
            throw new IllegalArgumentException("batch of " + indices.length + " samples needs inputs and targets with "
                    + indices.length + " rows, got inputs " + java.util.Arrays.toString(inputs.shape())
                    + " and targets " + java.util.Arrays.toString(targets.shape()));
        }
    }

    /** The number of samples N. */
    public int size() {
        return indices.length;
    }
}
