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

    /** Batches timed for samples/s, after as many untimed warm-up batches. */
    static final int INFER_BATCHES = 40;
    static final int TRAIN_BATCHES = 20;

    private Compare() {
    }

    /**
     * @param model     the trained model to evaluate and time
     * @param config    the configuration that builds a fresh copy of its architecture (timed training runs on the
     *                  copy), or null when the model cannot be trained (int8)
     * @param modelFile the file the model is stored in
     */
    static Measurement measure(TrainingRun run, Module model, TrainConfig config, Path modelFile,
                               long parameters) throws IOException {
        Evaluation e = Evaluation.run(model, run.loss(), run.testLoader());
        double infer = Throughput.inference(model, run.testLoader(), INFER_BATCHES / 2, INFER_BATCHES);
        double train = Double.NaN;
        if (config != null) {
            Module copy = ModelPresets.build(config.model(), run.trainData().sampleShape(), run.trainData().classes(),
                    new Rng(config.seed()));
            train = Throughput.training(copy, run.loss(), Optimizers.create(config.optim(), copy), run.trainLoader(),
                    TRAIN_BATCHES / 2, TRAIN_BATCHES);
        }
        return new Measurement(parameters, Files.size(modelFile), train, infer, e.accuracy(), e.loss());
    }
}
