package dev.brisk.compress;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What a compressed model is compared on: size, speed and accuracy.
 *
 * @param parameters      parameter elements (for an int8 model: weight elements, stored in one byte each)
 * @param fileBytes       size of the model file
 * @param trainPerSecond  training samples/s (forward, backward, update), NaN where the model cannot train
 * @param inferPerSecond  inference samples/s
 * @param accuracy        test accuracy
 * @param loss            test loss
 */
public record Measurement(long parameters, long fileBytes, double trainPerSecond, double inferPerSecond,
                          double accuracy, double loss) {

    /** A table of {@code before} and {@code after} with ratios, one line per quantity. */
    public static String table(String beforeName, Measurement before, String afterName, Measurement after) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  %-20s %14s %14s %10s%n", "", beforeName, afterName, "ratio"));
        row(sb, "parameters", before.parameters, after.parameters, "%,14d");
        row(sb, "model file (bytes)", before.fileBytes, after.fileBytes, "%,14d");
        if (!Double.isNaN(after.trainPerSecond)) {
            row(sb, "train samples/s", before.trainPerSecond, after.trainPerSecond, "%,14.0f");
        }
        row(sb, "infer samples/s", before.inferPerSecond, after.inferPerSecond, "%,14.0f");
        sb.append(String.format(Locale.ROOT, "  %-20s %14.4f %14.4f %+9.2f pt%n", "test accuracy", before.accuracy,
                after.accuracy, 100 * (after.accuracy - before.accuracy)));
        sb.append(String.format(Locale.ROOT, "  %-20s %14.4f %14.4f%n", "test loss", before.loss, after.loss));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, double a, double b, String fmt) {
        boolean integral = fmt.endsWith("d");
        sb.append(String.format(Locale.ROOT, "  %-20s " + fmt + " " + fmt + " %9.2f×%n", name,
                integral ? (Object) (long) a : (Object) a, integral ? (Object) (long) b : (Object) b, b / a));
    }

    /** This measurement as JSON fields. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("parameters", parameters);
        o.put("file_bytes", fileBytes);
        if (!Double.isNaN(trainPerSecond)) {
            o.put("train_samples_per_s", trainPerSecond);
        }
        o.put("infer_samples_per_s", inferPerSecond);
        o.put("accuracy", accuracy);
        o.put("loss", loss);
        return o;
    }
}
