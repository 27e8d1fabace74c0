package dev.brisk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brisk.data.DataDir;
import dev.brisk.data.format.Mnist;
import dev.brisk.tensor.Kernels;
import dev.brisk.tensor.MachinePeak;
import dev.brisk.train.Evaluation;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.util.List;
import java.util.Locale;

/**
 * The {@code accuracy} workload: the default {@code ./brisk train} model and data, evaluated after every epoch,
 * until the test accuracy reaches {@code --target} (default 0.91) or {@code --max-epochs} pass.
 */
final class AccuracyWorkload {

    private AccuracyWorkload() {
    }

    static ObjectNode run(double target, int maxEpochs, String precision) {
        if (!(target > 0 && target < 1)) {
            throw new UsageException("--target must be in (0, 1), got " + target);
        }
        if (!Mnist.present(DataDir.resolve())) {
            throw new UsageException("the accuracy workload needs Fashion-MNIST: "
                    + DataDir.howToGetFashionMnist(DataDir.resolve()));
        }
        TrainConfig config = RunDirs.load(null, List.of("epochs=" + maxEpochs, "precision=" + precision,
                "checkpoint.every_epochs=null", "eval.every_epochs=1"));
        try (TrainingRun run = new TrainingRun(config, true)) {
            MachinePeak peak = MachinePeak.detect();
            Trainer t = new Trainer(run.model(), run.loss(), run.optimizer(), run.schedule(), config.precision(),
                    run.trainLoader(), run.testLoader(), run.plan(), null, null, run.trainFlopsPerSample(),
                    peak.gflops() * 1e9, System.out);
            t.stopWhen(e -> e.accuracy() >= target);
            Trainer.Summary s = t.fit();
            Evaluation e = s.lastEval();
            double epochs = (double) s.steps() / run.trainLoader().batchesPerEpoch();
            System.out.printf(Locale.ROOT, "accuracy %.4f after %.2f epochs in %.1f s (%s)%n", e.accuracy(), epochs,
                    s.seconds(), s.stopReason());
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("data", "fashion-mnist");
            out.put("model", config.model().kind().key());
            out.put("target", target);
            out.put("reached", e.accuracy() >= target);
            out.put("seconds", Math.round(s.seconds() * 10) / 10.0);
            out.put("epochs", Math.round(epochs * 100) / 100.0);
            out.put("test_accuracy", e.accuracy());
            return out;
        }
    }
}
