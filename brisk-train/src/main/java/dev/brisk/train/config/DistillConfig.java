package dev.brisk.train.config;

import static dev.brisk.train.config.ConfigException.check;

/**
 * Knowledge distillation (section {@code distill}): with a {@code teacher} run directory, the loss is
 * {@code α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE(student, labels)}, the teacher being that
 * run's trained model, frozen. Implemented in {@code brisk-compress}.
 *
 * @param teacher     {@code distill.teacher}: a trained run directory; default null (no distillation)
 * @param temperature {@code distill.temperature}: T &gt; 0; default 4
 * @param alpha       {@code distill.alpha}: weight of the distillation term, in [0, 1]; default 0.9
 */
public record DistillConfig(String teacher, double temperature, double alpha) {

    public DistillConfig {
        check(teacher == null || !teacher.isBlank(), "distill.teacher", "must name a run directory (or be null)");
        check(temperature > 0 && Double.isFinite(temperature), "distill.temperature", "must be > 0, got "
                + temperature);
        check(alpha >= 0 && alpha <= 1, "distill.alpha", "must be in [0, 1], got " + alpha);
    }

    public static DistillConfig defaults() {
        return new DistillConfig(null, 4, 0.9);
    }

    public boolean enabled() {
        return teacher != null;
    }
}
