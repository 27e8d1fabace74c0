package dev.brisk.spark;

import dev.brisk.data.Collate;
import dev.brisk.data.Dataset;
import dev.brisk.data.Labeled;
import dev.brisk.data.Transform;
import dev.brisk.dist.ProcessGroup;
import dev.brisk.dist.Reduction;
import dev.brisk.train.setup.DataSource;
import dev.brisk.train.setup.Datasets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One rank's share of a Spark {@code Dataset<Row>}: the rows of its barrier partition, already reduced by the driver
 * to the feature columns (in order) followed by the label column, converted to float features and class indices.
 *
 * <p>Data-parallel steps need the same number of batches on every rank, but Spark partitions differ in size: the
 * ranks agree on the largest partition's row count (one all-reduce) and the smaller shards repeat their own rows
 * cyclically up to it, as a {@code DistributedSampler} pads its last round. An empty partition is an error.
 */
final class RowShard implements Dataset<Labeled<float[]>> {

    private final float[][] features;
    private final int[] labels;
    private final int size;

    private RowShard(float[][] features, int[] labels, int size) {
        this.features = features;
        this.labels = labels;
        this.size = size;
    }

    /** Converts rows of {@code featureCount} numeric features then an integral label in [0, classes). */
    static RowShard of(Iterator<Row> rows, int featureCount, int classes, String where) {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            float[] x = new float[featureCount];
            for (int j = 0; j < featureCount; j++) {
                x[j] = number(r, j, where, xs.size()).floatValue();
            }
            double label = number(r, featureCount, where, xs.size()).doubleValue();
            if (label != Math.rint(label) || label < 0 || label >= classes) {
                throw new IllegalArgumentException(where + ", row " + xs.size() + ": label " + label + " is not a "
                        + "class index in [0, " + classes + ")");
            }
            xs.add(x);
            ys.add((int) label);
        }
        return new RowShard(xs.toArray(float[][]::new), ys.stream().mapToInt(Integer::intValue).toArray(), xs.size());
    }

    /** Rows already on the driver (the evaluation split, shipped to every rank). */
    static RowShard of(float[][] features, int[] labels) {
        return new RowShard(features, labels, labels.length);
    }

    private static Number number(Row r, int column, String where, int row) {
        Object v = r.get(column);
        if (!(v instanceof Number n)) {
            String name = r.schema() == null ? "" : " ('" + r.schema().fields()[column].name() + "')";
            throw new IllegalArgumentException(where + ", row " + row + ": column " + column + name + " is "
                    + (v == null ? "null" : "not numeric: " + v)
                    + "; training rows need numeric features and label, without nulls (drop or fill them first)");
        }
        return n;
    }

    /** This shard repeated cyclically up to the row count of the group's largest shard (collective). */
    RowShard padToLargest(ProcessGroup group) {
        if (group == null || group.size() == 1) {
            return this;
        }
        float[] counts = {size, -size};
        group.allReduce(counts, Reduction.MAX);
        int largest = Math.round(counts[0]);
        int smallest = Math.round(-counts[1]);
        if (smallest == 0) {
            throw new IllegalArgumentException("a barrier partition has no rows (this one has " + size + "): "
                    + "every rank needs data; use fewer ranks or repartition the rows evenly");
        }
        return new RowShard(features, labels, largest);
    }

    /** Rows actually held (before padding). */
    int rows() {
        return labels.length;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Labeled<float[]> get(int index) {
        int i = index % labels.length;
        return new Labeled<>(features[i], labels[i]);
    }

    DataSource<Labeled<float[]>, Labeled<float[]>> source(Datasets.Split split, String description, int classes) {
        int featureCount = labels.length == 0 ? 0 : features[0].length;
        return new DataSource<>(description, split, this, Transform.identity(), Collate.features(),
                new int[] {featureCount}, classes);
    }
}
