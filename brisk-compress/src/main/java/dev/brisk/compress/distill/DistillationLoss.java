package dev.brisk.compress.distill;

import dev.brisk.nn.Module;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.nn.loss.KlDivLoss;
import dev.brisk.nn.loss.Loss;
import dev.brisk.nn.loss.Reduction;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.BatchLoss;
import java.util.Objects;

/**
 * Hinton et al. (2015), "Distilling the Knowledge in a Neural Network":
 * <pre>
 *   L = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(z_s, y)
 * </pre>
 * with student logits {@code z_s}, teacher logits {@code z_t} (the frozen teacher run on the same inputs, in eval
 * mode and without a graph), the KL divergence averaged over the batch (PyTorch's {@code batchmean}) and the T²
 * keeping the soft term's gradient on the scale of the hard one as T changes. Its gradient with respect to the
 * student logits is {@code α·T·(softmax(z_s/T) − softmax(z_t/T))/B + (1 − α)·(softmax(z_s) − onehot(y))/B}.
 * Evaluation (outputs only) sees the plain cross-entropy.
 */
public final class DistillationLoss implements BatchLoss {

    private final Module teacher;
    private final double temperature;
    private final double alpha;
    private final Loss hard = new CrossEntropyLoss();
    private final KlDivLoss soft = new KlDivLoss(Reduction.BATCHMEAN, true);

    /** @param teacher frozen here: eval mode, no gradients */
    public DistillationLoss(Module teacher, double temperature, double alpha) {
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("distillation temperature must be > 0, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
        }
        this.temperature = temperature;
        this.alpha = alpha;
        teacher.eval();
        teacher.requiresGrad(false);
    }

    @Override
    public Tensor apply(Tensor inputs, Tensor student, Tensor targets) {
        Tensor teacherLogits;
        try (var _ = GradMode.noGrad()) {
            teacherLogits = teacher.forward(inputs);
        }
        return loss(student, teacherLogits, targets);
    }

    /** The loss for given teacher logits (the formula above). */
    public Tensor loss(Tensor student, Tensor teacherLogits, Tensor targets) {
        float t = (float) temperature;
        Tensor kl = soft.apply(student.div(t).logSoftmax(-1), teacherLogits.div(t).logSoftmax(-1));
        Tensor ce = hard.apply(student, targets);
        return kl.mul((float) (alpha * temperature * temperature)).add(ce.mul((float) (1 - alpha)));
    }

    /** Evaluation: cross-entropy against the labels. */
    @Override
    public Tensor apply(Tensor output, Tensor targets) {
        return hard.apply(output, targets);
    }
}
