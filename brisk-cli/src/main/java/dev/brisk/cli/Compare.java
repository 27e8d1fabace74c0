package dev.brisk.cli;

import dev.brisk.compress.Measurement;
import dev.brisk.compress.Throughput;
import dev.brisk.nn.Module;
import dev.brisk.tensor.Rng;
import dev.brisk.train.Evaluation;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import dev.brisk.train.model.ModelPresets;
import dev.brisk.train.setup.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Measures a model of a run (before or after compression) the same way: {@link Measurement}. */
final class Compare {

    /** Inference batches timed for samples/s by default (training: half as many), after half as many untimed. */
    static final int DEFAULT_TIMING_BATCHES = 40;

    private Compare() {
    }

    /**
     * @param model     the trained model to evaluate and time
     * @param config    the configuration that builds a fresh copy of its architecture (timed training runs on the
     *                  copy), or null when the model cannot be trained (int8)
     * @param modelFile the file the model is stored in
     */
    static Measurement measure(TrainingRun run, Module model, TrainConfig config, Path modelFile,
                               long parameters, int timingBatches) throws IOException {
        int inferBatches = Math.max(1, timingBatches);
        int trainBatches = Math.max(1, timingBatches / 2);
        Evaluation e = Evaluation.run(model, run.loss(), run.testLoader());
        double infer = Throughput.inference(model, run.testLoader(), inferBatches / 2, inferBatches);
        double train = Double.NaN;
        if (config != null) {
            Module copy = ModelPresets.build(config.model(), run.trainData().sampleShape(), run.trainData().classes(),
                    new Rng(config.seed()));
            train = Throughput.training(copy, run.loss(), Optimizers.create(config.optim(), copy), run.trainLoader(),
                    trainBatches / 2, trainBatches);
        }
        return new Measurement(parameters, Files.size(modelFile), train, infer, e.accuracy(), e.loss());
    }
}
