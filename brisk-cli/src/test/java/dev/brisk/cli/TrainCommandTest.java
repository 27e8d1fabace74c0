package dev.brisk.cli;

import static dev.brisk.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brisk.train.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brisk train} and {@code brisk eval} end to end on a small crafted IDX dataset. */
class TrainCommandTest {

    /** Writes an MNIST-format split of {@code n} 28×28 images whose class is encoded in their brightness. */
    static void writeSplit(Path dir, String split, int n, long seed) throws IOException {
        Random r = new Random(seed);
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream di = new DataOutputStream(img);
        DataOutputStream dl = new DataOutputStream(lab);
        di.writeInt(0x00000803);
        di.writeInt(n);
        di.writeInt(28);
        di.writeInt(28);
        dl.writeInt(0x00000801);
        dl.writeInt(n);
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            dl.writeByte(label);
            for (int p = 0; p < 784; p++) {
                di.writeByte(Math.min(255, label * 25 + r.nextInt(20)));
            }
        }
        Files.write(dir.resolve(split + "-images-idx3-ubyte"), img.toByteArray());
        Files.write(dir.resolve(split + "-labels-idx1-ubyte"), lab.toByteArray());
    }

    @Test
    void trainsResumesAndEvaluates(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeSplit(data, "train", 256, 1);
        writeSplit(data, "t10k", 64, 2);
        Path runDir = tmp.resolve("run");
        String[] common = {"--set", "data.dir=" + data, "--set", "model=mlp", "--set", "data.batch_size=32",
            "--set", "data.workers=0", "--set", "checkpoint.every_steps=4", "--threads", "1"};
        Object[] first = run(concat(new String[] {"train", "--run-dir", runDir.toString(), "--set", "steps=8",
            "--set", "report.memory=true"}, common));
        assertEquals(0, first[0], first[2] + "\n" + first[1]);
        assertTrue(((String) first[1]).contains("test accuracy"), (String) first[1]);
        assertTrue(Files.isRegularFile(runDir.resolve("config.yaml")));
        assertTrue(Files.readAllLines(runDir.resolve("metrics.jsonl")).stream()
                .anyMatch(l -> l.contains("\"kind\":\"memory\"")), "report.memory writes a memory record");
        assertEquals(8, Checkpoints.load(Checkpoints.latest(runDir).orElseThrow()).trainer().get("step").asLong());

        Object[] resumed = run(concat(new String[] {"train", "--resume", runDir.toString(), "--set", "steps=12"},
                common));
        assertEquals(0, resumed[0], resumed[2] + "\n" + resumed[1]);
        assertTrue(((String) resumed[1]).contains("resumed from"), (String) resumed[1]);
        assertEquals(12, Checkpoints.load(Checkpoints.latest(runDir).orElseThrow()).trainer().get("step").asLong());
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        JsonNode last = new ObjectMapper().readTree(lines.getLast());
        assertEquals("eval", last.get("kind").asText());
        // chance is ln 10 = 2.30; 12 steps on brightness-coded classes must get well below it
        assertTrue(last.get("eval_loss").asDouble() < 2.0, "the test loss should fall: " + last);

        Object[] eval = run("eval", runDir.toString(), "--threads", "1");
        assertEquals(0, eval[0], (String) eval[2]);
        assertTrue(((String) eval[1]).contains("step-000000012: test loss"), (String) eval[1]);
    }

    @Test
    void badConfigAndMissingDataExitWithTwoAndSayWhy(@TempDir Path tmp) {
        Object[] badKey = run("train", "--set", "optim.nmae=sgd", "--run-dir", tmp.resolve("a").toString());
        assertEquals(2, badKey[0]);
        assertTrue(((String) badKey[2]).contains("optim.nmae"), (String) badKey[2]);
        Object[] noData = run("train", "--set", "data.dir=" + tmp.resolve("nowhere"), "--run-dir",
                tmp.resolve("b").toString());
        assertEquals(2, noData[0]);
        assertTrue(((String) noData[2]).contains("nowhere"), (String) noData[2]);
        Object[] noRun = run("eval", tmp.resolve("missing").toString());
        assertEquals(2, noRun[0]);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void faultInjectionVariablesAreCheckedByName() {
        assertEquals(6, TrainCommand.parseFaultVariable(TrainCommand.FAULT_STEP, " 6 "));
        for (String bad : new String[] {"six", "", "-1", "99999999999"}) {
            UsageException e = assertThrows(UsageException.class,
                    () -> TrainCommand.parseFaultVariable(TrainCommand.FAULT_RANK, bad));
            assertTrue(e.getMessage().contains("BRISK_FAULT_RANK") && e.getMessage().contains("'" + bad + "'"),
                    e.getMessage());
        }
    }
}
