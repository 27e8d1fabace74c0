package dev.brisk.nn.loss;

import dev.brisk.tensor.Tensor;

/** The losses in functional form, with PyTorch's default settings unless given; each delegates to its record. */
public final class Losses {

    private Losses() {
    }

    /** Cross-entropy from logits, mean over targets, no smoothing, ignore index −100. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return new CrossEntropyLoss().apply(logits, target);
    }

    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction, float labelSmoothing,
                                      long ignoreIndex) {
        return new CrossEntropyLoss(reduction, labelSmoothing, ignoreIndex).apply(logits, target);
    }

    /** Mean squared error, mean reduction. */
    public static Tensor mse(Tensor input, Tensor target) {
        return new MseLoss().apply(input, target);
    }

    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        return new MseLoss(reduction).apply(input, target);
    }

    /** Binary cross-entropy on logits, mean reduction. */
    public static Tensor bceWithLogits(Tensor logits, Tensor target) {
        return new BceWithLogitsLoss().apply(logits, target);
    }

    public static Tensor bceWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        return new BceWithLogitsLoss(reduction).apply(logits, target);
    }

    /** KL(target ‖ input) with input log-probabilities and target probabilities. */
    public static Tensor klDiv(Tensor logProbs, Tensor target, Reduction reduction) {
        return new KlDivLoss(reduction, false).apply(logProbs, target);
    }

    public static Tensor klDiv(Tensor logProbs, Tensor target, Reduction reduction, boolean logTarget) {
        return new KlDivLoss(reduction, logTarget).apply(logProbs, target);
    }
}
