package dev.brisk.cli;

import dev.brisk.data.DataFileException;
import dev.brisk.train.Checkpoints;
import dev.brisk.train.Evaluation;
import dev.brisk.train.TrainingRun;
import dev.brisk.train.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code brisk eval RUN_DIR}: test loss and accuracy of a run's last checkpoint. */
@Command(name = "eval", description = "Evaluate the last checkpoint of a run on its test data.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    Path runDir;

    @Mixin
    Main.RuntimeOptions runtime = new Main.RuntimeOptions();

    @Override
    public Integer call() throws IOException {
        runtime.apply();
        TrainConfig config = RunDirs.loadFromRun(runDir, java.util.List.of());
        Path checkpoint = Checkpoints.latest(runDir).orElseThrow(() ->
                new UsageException(runDir + " has no complete checkpoint"));
        try (TrainingRun run = new TrainingRun(config, true)) {
            run.model().loadStateDict(Checkpoints.load(checkpoint).model(), true);
            Evaluation e = Evaluation.run(run.model(), run.loss(), run.testLoader());
            System.out.printf(Locale.ROOT, "%s: test loss %.4f, test accuracy %.4f over %,d samples%n",
                    checkpoint.getFileName(), e.loss(), e.accuracy(), e.samples());
            return 0;
        } catch (DataFileException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
