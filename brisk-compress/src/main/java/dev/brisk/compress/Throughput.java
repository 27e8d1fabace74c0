package dev.brisk.compress;

import dev.brisk.data.Batch;
import dev.brisk.data.DataLoader;
import dev.brisk.nn.Module;
import dev.brisk.nn.loss.Loss;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.tensor.GradMode;
import dev.brisk.train.TrainStep;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples per second of a model, measured the same way before and after compression: the first {@code warmup}
 * batches of the loader are run untimed (JIT compilation, buffer pools), then {@code batches} timed ones.
 */
public final class Throughput {

    private Throughput() {
    }

    /** Inference (eval mode, no graph) over {@code batches} batches after {@code warmup}. */
    public static double inference(Module model, DataLoader loader, int warmup, int batches) {
        List<Batch> data = take(loader, warmup + batches);
        boolean was = model.isTraining();
        model.eval();
        try (var _ = GradMode.noGrad()) {
            long t0 = 0;
            long samples = 0;
            for (int i = 0; i < data.size(); i++) {
                if (i == warmup) {
                    t0 = System.nanoTime();
                }
                model.forward(data.get(i).inputs());
                samples += i >= warmup ? data.get(i).size() : 0;
            }
            return samples / ((System.nanoTime() - t0) / 1e9);
        } finally {
            model.train(was);
        }
    }

    /**
     * Training steps (forward, backward, optimizer update) of {@code model} with {@code optimizer}; the model's
     * weights change, so pass a throwaway copy.
     */
    public static double training(Module model, Loss loss, Optimizer optimizer, DataLoader loader, int warmup,
                                  int batches) {
        List<Batch> data = take(loader, warmup + batches);
        TrainStep step = new TrainStep(model, loss, optimizer, null, Precision.FP32);
        long t0 = 0;
        long samples = 0;
        for (int i = 0; i < data.size(); i++) {
            if (i == warmup) {
                t0 = System.nanoTime();
            }
            step.run(List.of(data.get(i)), 0);
            samples += i >= warmup ? data.get(i).size() : 0;
        }
        return samples / ((System.nanoTime() - t0) / 1e9);
    }

    /** The first {@code n} batches, going through further epochs when one epoch has fewer. */
    private static List<Batch> take(DataLoader loader, int n) {
        List<Batch> out = new ArrayList<>(n);
        for (int epoch = 0; out.size() < n; epoch++) {
            int before = out.size();
            for (Batch b : loader.epoch(epoch)) {
                if (out.size() == n) {
                    break;
                }
                out.add(b);
            }
            if (out.size() == before) {
                throw new IllegalArgumentException("throughput needs batches, but the loader has none");
            }
        }
        return out;
    }
}
