package dev.brisk.data;

import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory dataset of two tensors sharing their first dimension: sample i is
 * {@code (inputs[i], targets[i])} as views. {@link #collate()} stacks rows back into (N, ...) tensors of the
 * same dtypes.
 */
public record TensorDataset(Tensor inputs, Tensor targets) implements Dataset<TensorDataset.Row> {

    /** Row i of the inputs and targets (views, not copies). */
    public record Row(Tensor input, Tensor target) {}

    public TensorDataset {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(targets, "targets");
        if (inputs.dim() == 0 || targets.dim() == 0 || inputs.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("inputs " + Arrays.toString(inputs.shape()) + " and targets "
                    + Arrays.toString(targets.shape()) + " must have the same first dimension (one row per sample)");
        }
    }

    @Override
    public int size() {
        return inputs.size(0);
    }

    @Override
    public Row get(int index) {
        Objects.checkIndex(index, size());
        return new Row(inputs.select(0, index), targets.select(0, index));
    }

    /** Stacks rows into inputs (N, ...) and targets (N, ...). */
    public static Collate<Row> collate() {
        return (List<Row> rows, int[] indices, Rng rng) ->
                new Batch(stack(rows.stream().map(Row::input).toList()),
                        stack(rows.stream().map(Row::target).toList()), indices);
    }

    private static Tensor stack(List<Tensor> rows) {
        Tensor first = rows.getFirst();
        int[] shape = new int[first.dim() + 1];
        shape[0] = rows.size();
        System.arraycopy(first.shape(), 0, shape, 1, first.dim());
        Tensor out = Tensor.zeros(first.dtype(), shape);
        for (int i = 0; i < rows.size(); i++) {
            out.select(0, i).copyFrom(rows.get(i));
        }
        return out;
    }
}
