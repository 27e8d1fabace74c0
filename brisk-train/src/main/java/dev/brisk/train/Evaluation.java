package dev.brisk.train;

import dev.brisk.data.Batch;
import dev.brisk.data.DataLoader;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Tensor;

/** Mean loss and top-1 accuracy of a model over one pass of a loader, in eval mode and without a graph. */
public record Evaluation(double loss, double accuracy, long samples) {

    public static Evaluation run(Module model, Loss loss, DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0;
        long n = 0;
        try (var s = GradMode.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                Tensor out = model.forward(b.inputs());
                int bs = b.size();
                lossSum += loss.apply(out, b.targets()).item() * bs;
                if (b.targets().dim() == 1 && !b.targets().dtype().isFloatingPoint() && out.dim() == 2) {
                    correct += out.argmax(1, false).eq(b.targets().to(DType.I64)).sum().toLongArray()[0];
                }
                n += bs;
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return new Evaluation(n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, n);
    }
}
