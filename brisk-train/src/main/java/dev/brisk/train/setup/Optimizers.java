package dev.brisk.train.setup;

import dev.brisk.nn.Module;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.ParamGroup;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.OptimConfig;
import java.util.Map;

/** Builds the {@link Optimizer} an {@link OptimConfig} describes over a model's parameters. */
public final class Optimizers {

    private Optimizers() {}

    /**
     * The optimizer over every parameter of {@code model} (frozen ones too, so that state names do not depend on
     * freezing; they have no gradient and are skipped). With {@code decay_mask: default} there are two groups,
     * "decay" (tensors with ≥ 2 dims) and "no_decay" (biases, norm scales) as {@link ParamGroup#DEFAULT_DECAY_MASK}
     * splits them; with {@code all}, one group "all" decays everything. The learning rate starts at
     * {@code optim.lr}; the schedule sets it before each step.
     */
    public static Optimizer create(OptimConfig config, Module model) {
        Map<String, Tensor> params = model.namedParameters();
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the model has no parameters to optimize: " + model);
        }
        ParamGroup[] groups = switch (config.decayMask()) {
            case DEFAULT -> ParamGroup.split(params, config.weightDecay(), ParamGroup.DEFAULT_DECAY_MASK);
            case ALL -> new ParamGroup[] {ParamGroup.of(params, config.weightDecay())};
        };
        return new Optimizer(config.rule(), config.lr(), groups);
    }
}
