package dev.brisk.monitor;

import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.data.TensorDataset;
import dev.brisk.data.sampler.Sampler;
import dev.brisk.dist.ddp.GradientSync;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.optim.Schedule;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.LearningRate;
import dev.brisk.train.TrainPlan;
import dev.brisk.train.Trainer;
import java.nio.file.Path;

/** A small classifier trained for a few steps: enough for callbacks to see real steps. */
public final class TinyRun {

    private TinyRun() {
    }

    /** 96 samples of 6 features in 3 classes. */
    static TensorDataset data() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, 96, 6);
        long[] y = new long[96];
        float[] xv = x.toFloatArray();
        for (int i = 0; i < 96; i++) {
            y[i] = xv[i * 6] > 0.5 ? 2 : (xv[i * 6 + 1] > 0 ? 1 : 0);
        }
        return new TensorDataset(x, Tensor.ofLongs(y, 96));
    }

    public static Module model() {
        Rng rng = new Rng(1);
        return new Sequential(new Linear(6, 16, rng), new ReLU(), new Linear(16, 3, rng));
    }

    public static DataLoader loader() {
        return loader(Sampler.sequential());
    }

    public static DataLoader loader(Sampler sampler) {
        LoaderConfig c = LoaderConfig.of(16, 11).withDropLast(true).withSampler(sampler);
        return DataLoader.create(data(), TensorDataset.collate(), c);
    }

    /** A trainer of {@code steps} steps writing into {@code runDir} (may be null). */
    public static Trainer trainer(Module m, DataLoader train, long steps, Path runDir) {
        return trainer(m, train, steps, runDir, 1, GradientSync.none());
    }

    /** The same, writing metrics every {@code logEvery} steps and synchronising gradients through {@code sync}. */
    public static Trainer trainer(Module m, DataLoader train, long steps, Path runDir, int logEvery,
                                  GradientSync sync) {
        Optimizer opt = Optimizer.of(Adam.adam(), 0.01, m.namedParameters(), 0);
        TrainPlan plan = new TrainPlan(steps, 1, null, null, false, null, false, 10, logEvery, null);
        return new Trainer(m, new CrossEntropyLoss(), opt, LearningRate.of(new Schedule.Constant(0.01)),
                Precision.FP32, train, null, plan, runDir, null, 1000, 1e9, null, sync);
    }
}
