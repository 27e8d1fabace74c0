package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

import dev.brisk.optim.Adagrad;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Lamb;
import dev.brisk.optim.Lars;
import dev.brisk.optim.RmsProp;
import dev.brisk.optim.Sgd;
import dev.brisk.optim.UpdateRule;
import java.util.List;
import java.util.Objects;

/**
 * The optimizer (section {@code optim}; {@code lr} at the top level is an alias of {@code optim.lr}). The update
 * rule's own hyperparameters live in brisk-optim's validated rule records; the YAML keys per {@code optim.name}:
 * <pre>
 *   all:              lr, weight_decay (0; adamw 0.01), decay_mask (default | all)
 *   sgd:              momentum 0.9, dampening 0, nesterov false                 lr default 0.01
 *   adam, adamw:      betas [0.9, 0.999], eps 1e-8                              lr default 0.001
 *   rmsprop:          alpha 0.99, eps 1e-8, momentum 0, centered false          lr default 0.01
 *   adagrad:          lr_decay 0, initial_accumulator 0, eps 1e-10              lr default 0.01
 *   lamb:             betas [0.9, 0.999], eps 1e-6                              lr default 0.001
 *   lars:             momentum 0.9, trust_coefficient 0.001, eps 1e-8, nesterov false   lr default 0.01
 * </pre>
 * Weight decay is L2 on the gradient for sgd, adam, rmsprop, adagrad and lars, decoupled for adamw and lamb.
 *
 * @param rule        the update rule with its hyperparameters ({@link Adam} with decoupled decay is adamw)
 * @param lr          {@code optim.lr}: the base learning rate (the schedule's peak), finite and > 0
 * @param weightDecay {@code optim.weight_decay}: finite and ≥ 0
 * @param decayMask   {@code optim.decay_mask}: which parameters decay — default: tensors with ≥ 2 dims (weights of
 *                    Linear/Conv/Embedding), not biases and norm scales; all: every parameter
 */
public record OptimConfig(UpdateRule rule, double lr, double weightDecay, DecayMask decayMask) {

    /** The optimizer names accepted by {@code optim.name}. */
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad", "lamb", "lars");

    /** Which parameters receive weight decay. */
    public enum DecayMask {
        DEFAULT, ALL;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public OptimConfig {
        Objects.requireNonNull(rule, "optim rule");
        Objects.requireNonNull(decayMask, "optim.decay_mask");
        check(lr > 0 && Double.isFinite(lr), "optim.lr", "must be a finite number > 0, got " + lr);
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "optim.weight_decay",
                "must be a finite number ≥ 0, got " + weightDecay);
    }

    /** The YAML name of the rule: sgd, adam, adamw, rmsprop, adagrad, lamb or lars. */
    public String name() {
        return name(rule);
    }

    static String name(UpdateRule rule) {
        return switch (rule) {
            case Sgd s -> "sgd";
            case Adam a -> a.decoupledWeightDecay() ? "adamw" : "adam";
            case RmsProp r -> "rmsprop";
            case Adagrad a -> "adagrad";
            case Lamb l -> "lamb";
            case Lars l -> "lars";
        };
    }

    /** The rule {@code name} with its defaults (see the table above). */
    public static UpdateRule defaultRule(String name) {
        return switch (name) {
            case "sgd" -> Sgd.momentum(0.9);
            case "adam" -> Adam.adam();
            case "adamw" -> Adam.adamW();
            case "rmsprop" -> RmsProp.defaults();
            case "adagrad" -> Adagrad.defaults();
            case "lamb" -> Lamb.defaults();
            case "lars" -> Lars.defaults();
            default -> throw unknown(name);
        };
    }

    /** The learning rate used when {@code optim.lr} is not given. */
    public static double defaultLr(String name) {
        return switch (name) {
            case "adam", "adamw", "lamb" -> 1e-3;
            case "sgd", "rmsprop", "adagrad", "lars" -> 1e-2;
            default -> throw unknown(name);
        };
    }

    /** The weight decay used when {@code optim.weight_decay} is not given: 0.01 for adamw (PyTorch), else 0. */
    public static double defaultWeightDecay(String name) {
        return name.equals("adamw") ? 0.01 : 0;
    }

    /** {@code name} with its default lr, weight decay and hyperparameters, default decay mask. */
    public static OptimConfig of(String name) {
        return new OptimConfig(defaultRule(name), defaultLr(name), defaultWeightDecay(name), DecayMask.DEFAULT);
    }

    /** Adam, lr 0.001, no weight decay. */
    public static OptimConfig defaults() {
        return of("adam");
    }

    static ConfigException unknown(String name) {
        return new ConfigException("optim.name", "unknown optimizer '" + name + "'; expected one of " + NAMES);
    }
}
