package dev.brisk.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.nn.Conv2d;
import dev.brisk.nn.Sequential;
import dev.brisk.tensor.GradMode;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.functional.Conv;
import dev.brisk.train.config.LayerSpec;
import dev.brisk.train.config.LayerSpec.Kind;
import dev.brisk.train.model.LayerStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Int8ModelTest {

    static final List<LayerSpec> SPECS = List.of(
            new LayerSpec.Conv2d(6, 3, 1, 1, false), new LayerSpec.Plain(Kind.BATCHNORM),
            new LayerSpec.Plain(Kind.RELU), new LayerSpec.Pool(true, 2, 2),
            new LayerSpec.Conv2d(8, 3, 2, 1, true), new LayerSpec.Plain(Kind.RELU),
            new LayerSpec.Plain(Kind.FLATTEN), new LayerSpec.Dropout(0.2), new LayerSpec.Linear(10, true),
            new LayerSpec.Plain(Kind.RELU), new LayerSpec.Linear(3, true));

    /** Quantized weights with their scales, dequantized: what the int8 layer computes with. */
    private static float[] dequantized(byte[] q, float[] scales) {
        int k = q.length / scales.length;
        float[] w = new float[q.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = q[i] * scales[i / k];
        }
        return w;
    }

    @Test
    void int8ConvEqualsTheFloatConvOfTheDequantizedOperands() {
        Rng rng = new Rng(1);
        Tensor w = Tensor.randn(rng, 5, 3, 3, 3);
        float[] b = Tensor.randn(rng, 5).toFloatArray();
        var q = PostTrainingQuantizer.quantizeRows(w.toFloatArray(), 5);
        Int8Conv2d conv = new Int8Conv2d(q.values(), new int[] {5, 3, 3, 3}, q.scales(), b, new int[] {2, 1},
                new int[] {1, 2}, false, null);
        QParams in = QParams.affine(-1.5f, 2.5f); // non-zero zero point: padding must stand for the real 0
        QTensor x = QTensor.quantize(Tensor.randn(rng, 2, 3, 7, 6), in);
        Tensor expected = Conv.conv2d(x.dequantize(), Tensor.of(dequantized(q.values(), q.scales()), 5, 3, 3, 3),
                Tensor.of(b, 5), new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 1}, 1);
        Tensor actual = conv.applyReal(x);
        assertArrayEquals(expected.shape(), actual.shape());
        assertTrue(actual.allClose(expected, 1e-4, 1e-4));
    }

    @Test
    void int8LinearEqualsTheFloatLinearOfTheDequantizedOperandsAndRequantizes() {
        Rng rng = new Rng(2);
        Tensor w = Tensor.randn(rng, 9, 20);
        float[] b = Tensor.randn(rng, 9).toFloatArray();
        var q = PostTrainingQuantizer.quantizeRows(w.toFloatArray(), 9);
        QTensor x = QTensor.quantize(Tensor.randn(rng, 4, 20), QParams.affine(-3, 3));
        Tensor expected = x.dequantize().matmul(Tensor.of(dequantized(q.values(), q.scales()), 9, 20).t())
                .add(Tensor.of(b, 9)).relu();
        Int8Linear real = new Int8Linear(q.values(), 9, 20, q.scales(), b, true, null);
        assertTrue(real.applyReal(x).allClose(expected, 1e-4, 1e-4));
        QParams out = QParams.affine(0, 8);
        QTensor y = new Int8Linear(q.values(), 9, 20, q.scales(), b, true, out).apply(x);
        float[] e = expected.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(out.quantize(e[i]), y.data()[i], 1, "requantized within one code of the exact value");
        }
    }

    @Test
    void quantizedStackTracksTheFloatModelAndSurvivesTheFile(@TempDir Path dir) throws Exception {
        Sequential model = LayerStack.build(SPECS, new int[] {2, 8, 8}, new Rng(3), i -> "layer " + i);
        try (var _ = GradMode.noGrad()) {
            var bn = (dev.brisk.nn.BatchNorm2d) model.get(1);
            Rng r = new Rng(4);
            bn.weight().copyFrom(Tensor.rand(r, 6).add(0.5f));
            bn.bias().copyFrom(Tensor.randn(r, 6).mul(0.2f));
            bn.runningMean().copyFrom(Tensor.randn(r, 6).mul(0.2f));
            bn.runningVar().copyFrom(Tensor.rand(r, 6).add(0.5f));
        }
        Rng data = new Rng(5);
        List<Tensor> calibration = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calibration.add(Tensor.randn(data, 16, 2, 8, 8));
        }
        Int8Model q = PostTrainingQuantizer.quantize(model, calibration, Observer::minMax);
        assertEquals(6, q.layers().size(), "conv+bn+relu, pool, conv+relu, flatten, linear+relu, linear; no dropout");
        Tensor x = Tensor.randn(data, 32, 2, 8, 8);
        model.eval();
        Tensor expected;
        try (var _ = GradMode.noGrad()) {
            expected = model.forward(x);
        }
        Tensor actual = q.forward(x);
        float range = expected.abs().max().item();
        float err = expected.sub(actual).abs().max().item();
        assertTrue(err < 0.05f * range, "int8 error " + err + " vs output range " + range);
        long agree = expected.argmax(1, false).eq(actual.argmax(1, false)).sum().getLong();
        assertTrue(agree >= 29, agree + " of 32 top-1 agree");

        Path file = dir.resolve(Int8Format.FILE);
        Int8Format.write(file, q);
        Int8Model back = Int8Format.read(file);
        assertArrayEquals(actual.toFloatArray(), back.forward(x).toFloatArray(), 0f);
        long fp32Bytes = model.numParameters() * 4;
        assertTrue(Files.size(file) < fp32Bytes, Files.size(file) + " bytes vs fp32 " + fp32Bytes);
    }

    @Test
    void percentileCalibrationIgnoresRareOutliers() {
        Observer p = Observer.percentile(99.0);
        Observer m = Observer.minMax();
        float[] v = new float[10_000];
        Rng rng = new Rng(6);
        float[] n = Tensor.rand(rng, v.length).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = n[i]; // U(0, 1)
        }
        v[17] = 1000f;
        Tensor t = Tensor.of(v, v.length);
        p.observe(t);
        m.observe(t);
        assertEquals(1000f, m.qparams().max(), 5f);
        assertTrue(p.qparams().max() < 1.05f && p.qparams().max() > 0.95f, "p99 max " + p.qparams().max());
    }

    @Test
    void foldingBatchNormKeepsTheConvFunction() {
        Sequential s = LayerStack.build(SPECS.subList(0, 2), new int[] {2, 8, 8}, new Rng(7), i -> "l" + i);
        var bn = (dev.brisk.nn.BatchNorm2d) s.get(1);
        try (var _ = GradMode.noGrad()) {
            Rng r = new Rng(8);
            bn.weight().copyFrom(Tensor.rand(r, 6).add(0.5f));
            bn.bias().copyFrom(Tensor.randn(r, 6));
            bn.runningMean().copyFrom(Tensor.randn(r, 6));
            bn.runningVar().copyFrom(Tensor.rand(r, 6).add(0.5f));
        }
        Conv2d c = (Conv2d) s.get(0);
        var f = PostTrainingQuantizer.fold(c.weight(), c.bias(), bn);
        Tensor x = Tensor.randn(new Rng(9), 3, 2, 8, 8);
        s.eval();
        try (var _ = GradMode.noGrad()) {
            Tensor expected = s.forward(x);
            Tensor folded = Conv.conv2d(x, Tensor.of(f.weight(), 6, 2, 3, 3), Tensor.of(f.bias(), 6), new int[] {1, 1},
                    new int[] {1, 1}, new int[] {1, 1}, 1);
            assertTrue(folded.allClose(expected, 1e-4, 1e-4));
        }
    }
}
