package dev.brisk.compress;

import dev.brisk.compress.distill.DistillationLoss;
import dev.brisk.compress.quant.Qat;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.train.TrainerCallback;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code quant} and {@code distill} sections of a config change in a training run: the model to train
 * (fake-quantized layers for {@code quant.qat}), the loss (the distillation loss with a frozen teacher for
 * {@code distill.teacher}), and callbacks for the trainer (freezing the QAT observers).
 *
 * @param model     the model to hand the trainer (the run's own when QAT is off); same parameters, same state dict
 * @param loss      the loss to hand the trainer
 * @param callbacks to add to the trainer
 */
public record TrainingCompression(Module model, Loss loss, List<TrainerCallback> callbacks) {

    /**
     * Applies {@code config}'s compression sections to {@code run}.
     *
     * @throws IllegalArgumentException for a teacher run that cannot be read or does not fit the data, or QAT on a
     *                                  model that is not a layer stack
     */
    public static TrainingCompression of(TrainConfig config, TrainingRun run) throws IOException {
        Module model = run.model();
        Loss loss = run.loss();
        List<TrainerCallback> callbacks = new ArrayList<>();
        if (config.quant().qat()) {
            Qat qat = Qat.prepare(SavedRun.asStack(model), config.quant().observerSteps());
            model = qat.model();
            callbacks.add(qat);
        }
        if (config.distill().enabled()) {
            Path dir = Path.of(config.distill().teacher());
            Module teacher;
            try {
                teacher = SavedRun.read(dir).model(run.trainData().sampleShape(), run.trainData().classes());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("distill.teacher: " + e.getMessage(), e);
            }
            loss = new DistillationLoss(teacher, config.distill().temperature(), config.distill().alpha());
        }
        return new TrainingCompression(model, loss, List.copyOf(callbacks));
    }

    /** Whether {@code config} asks for any of it. */
    public static boolean requested(TrainConfig config) {
        return config.quant().qat() || config.distill().enabled();
    }
}
