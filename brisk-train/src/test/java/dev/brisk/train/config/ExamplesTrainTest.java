package dev.brisk.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.train.LearningRate;
import dev.brisk.train.Trainer;
import dev.brisk.train.TrainingRun;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example config trains for a few real steps (25) (on small crafted data standing in for the real files). */
class ExamplesTrainTest {

    @TempDir
    static Path data;

    static List<Path> examples() throws IOException {
        return ExamplesTest.examples().toList();
    }

    private static void writeIdx(Path dir, String split, int n) throws IOException {
        Random r = new Random(split.hashCode());
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream di = new DataOutputStream(img);
        DataOutputStream dl = new DataOutputStream(lab);
        di.writeInt(0x803);
        di.writeInt(n);
        di.writeInt(28);
        di.writeInt(28);
        dl.writeInt(0x801);
        dl.writeInt(n);
        for (int i = 0; i < n; i++) {
            dl.writeByte(r.nextInt(10));
            for (int p = 0; p < 784; p++) {
                di.writeByte(r.nextInt(256));
            }
        }
        Files.write(dir.resolve(split + "-images-idx3-ubyte"), img.toByteArray());
        Files.write(dir.resolve(split + "-labels-idx1-ubyte"), lab.toByteArray());
    }

    @ParameterizedTest
    @MethodSource("examples")
    void trainsAFewSteps(Path file) throws IOException {
        if (!Files.exists(data.resolve("train-images-idx3-ubyte"))) {
            writeIdx(data, "train", 96);
            writeIdx(data, "t10k", 32);
            byte[] text = new byte[20_000];
            new Random(1).nextBytes(text);
            Files.write(data.resolve("text.bin"), text);
        }
        TrainConfig original = ConfigLoader.load(file, List.of());
        List<String> sets = new ArrayList<>(List.of("steps=25", "data.workers=0", "eval.every_epochs=null",
                "checkpoint.every_epochs=null", "data.batch_size=8"));
        if (original.data().dataset() == DataConfig.Source.TEXT) {
            sets.add("data.files=[" + data.resolve("text.bin") + "]");
        } else {
            sets.add("data.dir=" + data);
        }
        TrainConfig c = ConfigLoader.load(file, sets);
        try (TrainingRun run = new TrainingRun(c, false)) {
            Trainer t = new Trainer(run.model(), run.loss(), run.optimizer(), (LearningRate) run.schedule(),
                    c.precision(), run.trainLoader(), null, run.plan(), null, null, 0, 1, null);
            Trainer.Summary s = t.fit();
            assertEquals(25, s.steps(), file.toString());
            assertTrue(Double.isFinite(s.lastLoss()), file + " loss " + s.lastLoss());
        }
    }
}
