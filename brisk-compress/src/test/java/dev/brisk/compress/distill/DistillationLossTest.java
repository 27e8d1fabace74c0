package dev.brisk.compress.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.brisk.nn.Linear;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DistillationLossTest {

    private static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void lossAndGradientMatchTheHandComputedFormula() {
        double[][] s = {{1.0, -0.5, 2.0}, {0.3, 0.1, -1.2}};
        double[][] t = {{2.5, 0.0, 1.0}, {-0.4, 1.7, 0.2}};
        long[] y = {2, 1};
        double temp = 4;
        double alpha = 0.9;
        int b = 2;
        double kl = 0;
        double ce = 0;
        double[][] grad = new double[2][3];
        for (int i = 0; i < b; i++) {
            double[] ps = softmax(s[i], temp);
            double[] pt = softmax(t[i], temp);
            double[] p1 = softmax(s[i], 1);
            for (int c = 0; c < 3; c++) {
                kl += pt[c] * (Math.log(pt[c]) - Math.log(ps[c]));
                grad[i][c] = alpha * temp * (ps[c] - pt[c]) / b + (1 - alpha) * (p1[c] - (y[i] == c ? 1 : 0)) / b;
            }
            ce -= Math.log(p1[(int) y[i]]);
        }
        double expected = alpha * temp * temp * kl / b + (1 - alpha) * ce / b;

        Tensor student = Tensor.of(new float[] {1.0f, -0.5f, 2.0f, 0.3f, 0.1f, -1.2f}, 2, 3).requiresGrad(true);
        Tensor teacher = Tensor.of(new float[] {2.5f, 0.0f, 1.0f, -0.4f, 1.7f, 0.2f}, 2, 3);
        DistillationLoss loss = new DistillationLoss(new Linear(1, 1, new Rng(0)), temp, alpha);
        Tensor l = loss.loss(student, teacher, Tensor.ofLongs(y, 2));
        assertEquals(expected, l.item(), 1e-6);
        l.backward();
        float[] g = student.grad().toFloatArray();
        for (int i = 0; i < 6; i++) {
            assertEquals(grad[i / 3][i % 3], g[i], 1e-6, "d loss / d student[" + i + "]");
        }
    }

    @Test
    void theTeacherRunsOnTheBatchInputsAndStaysFrozen() {
        Rng rng = new Rng(1);
        Linear teacher = new Linear(4, 3, rng);
        Linear student = new Linear(4, 3, rng);
        DistillationLoss loss = new DistillationLoss(teacher, 2, 0.5);
        Tensor x = Tensor.randn(rng, 5, 4);
        Tensor y = Tensor.ofLongs(new long[] {0, 1, 2, 0, 1}, 5);
        Tensor out = student.forward(x);
        Tensor viaInputs = loss.apply(x, out, y);
        Tensor direct = loss.loss(out, teacher.forward(x), y);
        assertEquals(direct.item(), viaInputs.item(), 1e-6);
        viaInputs.backward();
        assertEquals(null, teacher.weight().grad(), "no gradient reaches the teacher");
        // outputs-only (evaluation) is the plain cross-entropy
        assertEquals(new dev.brisk.nn.loss.CrossEntropyLoss().apply(out, y).item(), loss.apply(out, y).item(), 1e-6);
    }

    @Test
    void alphaZeroIsCrossEntropyAndTheSoftTermVanishesForAnIdenticalTeacher() {
        Tensor z = Tensor.randn(new Rng(2), 3, 5);
        Tensor y = Tensor.ofLongs(new long[] {4, 0, 2}, 3);
        double ce = new dev.brisk.nn.loss.CrossEntropyLoss().apply(z, y).item();
        DistillationLoss hardOnly = new DistillationLoss(new Linear(1, 1, new Rng(0)), 3, 0);
        assertEquals(ce, hardOnly.loss(z, z.mul(3f), y).item(), 1e-6);
        DistillationLoss softOnly = new DistillationLoss(new Linear(1, 1, new Rng(0)), 3, 1);
        assertEquals(0, softOnly.loss(z, z, y).item(), 1e-6);
    }
}
