package dev.brisk.compress;

import dev.brisk.train.config.ModelConfig;
import dev.brisk.train.config.TrainConfig;

/** Configurations derived from a trained run's: the compressed model, fine-tuned for some epochs. */
public final class RunConfigs {

    private RunConfigs() {
    }

    /** {@code config} with {@code model} trained for {@code epochs} epochs (steps cleared). */
    public static TrainConfig withModel(TrainConfig c, ModelConfig model, int epochs) {
        return new TrainConfig(model, c.data(), c.optim(), c.schedule(), c.precision(), epochs, null,
                c.accumulation(), c.clipGradNorm(), c.eval(), c.checkpoint(), c.seed(), c.threads(), c.report(),
                c.memory(), c.dist(), c.quant(), c.distill());
    }
}
