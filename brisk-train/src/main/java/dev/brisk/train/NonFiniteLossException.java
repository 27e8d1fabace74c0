package dev.brisk.train;

/** The loss became NaN or infinite: training stops rather than corrupting the weights. */
public final class NonFiniteLossException extends RuntimeException {

    private final long step;

    public NonFiniteLossException(long step, double loss) {
        super("loss is " + loss + " at step " + step + "; training stopped before the optimizer step so the weights "
                + "are untouched. Lower the learning rate, enable gradient clipping (clip_grad_norm), or use "
                + "precision fp32/bf16 instead of fp16");
        this.step = step;
    }

    public long step() {
        return step;
    }
}
