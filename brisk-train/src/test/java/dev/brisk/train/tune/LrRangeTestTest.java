package dev.brisk.train.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.data.DataLoader;
import dev.brisk.data.LoaderConfig;
import dev.brisk.data.TensorDataset;
import dev.brisk.nn.Linear;
import dev.brisk.nn.Module;
import dev.brisk.nn.ReLU;
import dev.brisk.nn.Sequential;
import dev.brisk.nn.loss.CrossEntropyLoss;
import dev.brisk.optim.Adam;
import dev.brisk.optim.Optimizer;
import dev.brisk.optim.Precision;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.train.config.ConfigLoader;
import dev.brisk.train.config.TrainConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lr range test: where its suggestion lies, that it leaves the model alone, its CSV and PNG, the slope rule. */
class LrRangeTestTest {

    /** 128 samples of 6 features in 3 classes that a small MLP separates. */
    static TensorDataset data() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, 128, 6);
        long[] y = new long[128];
        float[] xv = x.toFloatArray();
        for (int i = 0; i < 128; i++) {
            y[i] = xv[i * 6] > 0.5 ? 2 : (xv[i * 6 + 1] > 0 ? 1 : 0);
        }
        return new TensorDataset(x, Tensor.ofLongs(y, 128));
    }

    static Module model() {
        Rng rng = new Rng(3);
        return new Sequential(new Linear(6, 32, rng), new ReLU(), new Linear(32, 3, rng));
    }

    static DataLoader loader(int batch) {
        return DataLoader.create(data(), TensorDataset.collate(), LoaderConfig.of(batch, 11).withDropLast(true));
    }

    @Test
    void suggestionLiesBetweenMinLrAndDivergenceAndModelIsUntouched() {
        Module m = model();
        Optimizer opt = Optimizer.of(Adam.adam(), 1e-3, m.namedParameters(), 0);
        Map<String, float[]> before = values(m);
        LrRangeTest.Options o = LrRangeTest.Options.defaults().withRange(1e-5, 10).withSteps(80);
        LrRangeTest.Result r;
        try (DataLoader l = loader(16)) {
            r = LrRangeTest.run(m, new CrossEntropyLoss(), opt, Precision.FP32, null, 1, l, o, null);
        }
        assertTrue(r.diverged(), r.stopReason());
        assertTrue(r.curve().size() < 80, "stopped early: " + r.curve().size());
        double last = r.curve().getLast().lr();
        assertTrue(r.steepestIndex() >= 0, "the loss falls somewhere");
        assertTrue(r.suggestedLr() > o.minLr() && r.suggestedLr() < last,
                r.suggestedLr() + " not in (" + o.minLr() + ", " + last + ")");
        assertTrue(r.suggestedLr() <= r.minLossLr(), "steepest descent comes before the lowest loss");
        assertEquals(r.minLossLr() / 10, r.minLossLrOver10(), 1e-15);
        // geometric lr, bias-corrected EMA: the first smoothed loss is the first loss
        assertEquals(o.minLr(), r.curve().getFirst().lr(), 1e-18);
        assertEquals(r.curve().getFirst().loss(), r.curve().getFirst().smoothedLoss(), 1e-9);
        assertEquals(Math.pow(10, 6.0 / 79), r.curve().get(1).lr() / r.curve().get(0).lr(), 1e-9);
        // the caller's model, optimizer state and lr are as before
        Map<String, float[]> after = values(m);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        assertTrue(opt.stateDict().isEmpty());
        assertEquals(1e-3, opt.lr());
    }

    @Test
    void configRunWritesCsvAndPng(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeSplit(data, "train", 256, 1);
        writeSplit(data, "t10k", 32, 2);
        TrainConfig c = ConfigLoader.load(List.of("data.dir=" + data, "data.workers=0", "batch_size=32",
                "model={layers: [flatten, {linear: 16}, relu, {linear: 10}]}", "optim=adam", "threads=1"));
        LrRangeTest.Options o = LrRangeTest.Options.defaults().withRange(1e-6, 100).withSteps(50);
        LrRangeTest.Result r = LrRangeTest.run(c, o, null);
        assertTrue(r.curve().size() >= 10, r.stopReason());
        assertTrue(r.suggestedLr() > 1e-6 && r.suggestedLr() < r.curve().getLast().lr());
        Path csv = tmp.resolve("lr_range.csv");
        Path png = tmp.resolve("lr_range.png");
        LrRangeTest.writeCsv(r, csv);
        LrRangeTest.writePlot(r, png, 640, 400);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,lr,loss,smoothed_loss", lines.getFirst());
        assertEquals(r.curve().size() + 1, lines.size());
        String[] row = lines.get(1).split(",");
        assertEquals(4, row.length);
        assertEquals(0, Integer.parseInt(row[0]));
        assertEquals(1e-6, Double.parseDouble(row[1]), 1e-12);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        // something was drawn: the blue curve and the red suggestion line
        boolean blue = false;
        boolean red = false;
        for (int y = 0; y < img.getHeight(); y += 1) {
            for (int x = 0; x < img.getWidth(); x += 1) {
                int p = img.getRGB(x, y);
                int rr = (p >> 16) & 255;
                int gg = (p >> 8) & 255;
                int bb = p & 255;
                blue |= bb > 150 && rr < 80 && gg < 140;
                red |= rr > 180 && gg < 80 && bb < 80;
            }
        }
        assertTrue(blue && red, "curve and suggestion drawn");
    }

    @Test
    void steepestDescentOnAKnownCurve() {
        int n = 61;
        double[] lr = new double[n];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            double x = -6 + i * 0.1; // log10 lr from 1e-6 to 1
            lr[i] = Math.pow(10, x);
            loss[i] = 2 - Math.tanh(2 * (x + 4)) + (x > -1.5 ? 5 * (x + 1.5) * (x + 1.5) : 0);
        }
        assertEquals(20, LrRangeTest.steepestDescent(lr, loss, 0)); // log10 lr = -4, where tanh is steepest
        // a noisy spike among the first points: its fall wins unless those points are skipped
        double[] noisy = loss.clone();
        noisy[2] = 5;
        assertEquals(3, LrRangeTest.steepestDescent(lr, noisy, 0));
        assertEquals(20, LrRangeTest.steepestDescent(lr, noisy, 4));
        // never falling: no suggestion
        double[] rising = new double[n];
        for (int i = 0; i < n; i++) {
            rising[i] = i;
        }
        assertEquals(-1, LrRangeTest.steepestDescent(lr, rising, 0));
        assertThrows(IllegalArgumentException.class, () -> LrRangeTest.steepestDescent(lr, new double[3], 0));
    }

    @Test
    void optionsAreChecked() {
        var d = LrRangeTest.Options.defaults();
        assertEquals(1e-7, d.minLr());
        assertEquals(10, d.maxLr());
        assertEquals(100, d.steps());
        assertEquals(0.98, d.beta());
        assertEquals(4, d.divergence());
        assertEquals(10, d.lrAt(99), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> d.withRange(1e-3, 1e-4));
        assertTrue(e.getMessage().contains("maximum lr"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withRange(0, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withSteps(1));
    }

    private static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** An MNIST-format split of {@code n} 28×28 images whose class is encoded in their brightness. */
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
}
