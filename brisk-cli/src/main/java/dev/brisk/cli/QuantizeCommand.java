package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.compress.Measurement;
import dev.brisk.compress.SavedRun;
import dev.brisk.compress.quant.Int8Format;
import dev.brisk.compress.quant.Int8Model;
import dev.brisk.compress.quant.Observer;
import dev.brisk.compress.quant.PostTrainingQuantizer;
import dev.brisk.data.Batch;
import dev.brisk.data.DataFileException;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brisk quantize RUN_DIR [--calibration minmax|percentile] [--percentile P] [--calibration-batches N]
 * [--run-dir OUT]}: post-training int8 quantization of a trained run's model (per-channel symmetric weights,
 * per-tensor affine activations calibrated on training batches). Writes {@code OUT/model.int8.safetensors} next to
 * the run's config, reads it back, and prints test accuracy, model file size and inference samples/s against the
 * fp32 model (also in {@code OUT/compression.json}).
 */
@Command(name = "quantize", description = "Int8 post-training quantization of a trained run (see docs/COMPRESSION.md).")
final class QuantizeCommand implements Callable<Integer> {

    @Mixin
    SavedRunOptions input = new SavedRunOptions();

    @Option(names = "--calibration", paramLabel = "minmax|percentile",
            description = "activation range estimate (default percentile)")
    String calibration = "percentile";

    @Option(names = "--percentile", paramLabel = "P", description = "percentile calibration: P (default 99.99)")
    double percentile = 99.99;

    @Option(names = "--calibration-batches", paramLabel = "N", description = "training batches to calibrate on (default 8)")
    int batches = 8;

    @Mixin
    Main.RuntimeOptions runtime = new Main.RuntimeOptions();

    @Override
    public Integer call() throws IOException {
        runtime.apply();
        if (batches < 1) {
            throw new UsageException("--calibration-batches must be ≥ 1, got " + batches);
        }
        Supplier<Observer> observers = switch (calibration.toLowerCase(Locale.ROOT)) {
            case "minmax" -> Observer::minMax;
            case "percentile" -> {
                if (!(percentile > 50 && percentile <= 100)) {
                    throw new UsageException("--percentile must be in (50, 100], got " + percentile);
                }
                yield () -> Observer.percentile(percentile);
            }
            default -> throw new UsageException("--calibration must be minmax or percentile, got " + calibration);
        };
        SavedRun saved = input.read();
        Path out = input.out();
        TrainConfig config = saved.config();
        try (TrainingRun run = new TrainingRun(config, true)) {
            Module model = run.model();
            model.loadStateDict(saved.weights(), true);
            System.out.printf(Locale.ROOT, "brisk quantize: %s (%s), %s calibration on %d training batches%n",
                    input.source, saved.checkpoint().getFileName(), calibration.equals("minmax") ? "min/max"
                            : "p" + percentile, batches);
            Measurement before = Compare.measure(run, model, null, saved.checkpoint().resolve("model.safetensors"),
                    model.numParameters(), input.timingBatches);
            List<Tensor> calib = new ArrayList<>();
            for (Batch b : run.trainLoader().epoch(0)) {
                if (calib.size() == batches) {
                    break;
                }
                calib.add(b.inputs());
            }
            Int8Model q;
            try {
                q = PostTrainingQuantizer.quantize(SavedRun.asStack(model), calib, observers);
            } catch (IllegalArgumentException e) {
                throw new UsageException(input.source + ": " + e.getMessage());
            }
            RunDirs.writeConfig(out, config);
            Path file = out.resolve(Int8Format.FILE);
            Int8Format.write(file, q);
            Int8Model loaded = Int8Format.read(file);
            Measurement after = Compare.measure(run, loaded, null, file, loaded.weightCount(), input.timingBatches);
            System.out.print(Measurement.table("fp32", before, "int8", after));
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("kind", "quantize");
            o.put("source", input.source.toString());
            o.put("calibration", calibration);
            if (calibration.equals("percentile")) {
                o.put("percentile", percentile);
            }
            o.put("calibration_batches", batches);
            o.set("before", before.toJson());
            o.set("after", after.toJson());
            Files.writeString(out.resolve("compression.json"), o.toPrettyString());
            System.out.println(o);
            System.out.println("int8 model: " + file.toAbsolutePath());
            return 0;
        } catch (DataFileException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
