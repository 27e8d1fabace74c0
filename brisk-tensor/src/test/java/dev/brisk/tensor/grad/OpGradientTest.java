package dev.brisk.tensor.grad;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.brisk.tensor.DType;
import dev.brisk.tensor.GradCheck;
import dev.brisk.tensor.Rng;
import dev.brisk.tensor.Tensor;
import dev.brisk.tensor.backend.BinaryOp;
import dev.brisk.tensor.backend.UnaryOp;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference gradient checks for every differentiable tensor op, incl. broadcasting and strided inputs. */
class OpGradientTest {

    private static final double EPS = 1e-2;
    private static final double ATOL = 2e-3;
    private static final double RTOL = 2e-2;

    private static Tensor leaf(Rng rng, int... shape) {
        return Tensor.randn(rng, shape).requiresGrad(true);
    }

    /** Values bounded away from 0 (for log, sqrt, rsqrt, reciprocal, abs, relu kinks) with random signs. */
    private static Tensor awayFromZero(Rng rng, boolean positive, int... shape) {
        Tensor t = Tensor.rand(rng, shape).mul(1.5f).add(0.5f);
        if (!positive) {
            Tensor sign = Tensor.rand(rng, shape).gt(Tensor.scalar(0.5f));
            t = Tensor.where(sign, t, t.neg());
        }
        return t.detach().requiresGrad(true);
    }

    /** Shuffled values 0.1·i + shift, so that elements of two grids never come within eps of each other. */
    private static Tensor grid(Rng rng, float shift, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] perm = rng.permutation(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.1f * (perm[i] - n / 2) + shift;
        }
        return Tensor.of(v, n).reshape(shape).detach().requiresGrad(true);
    }

    private static void assertGrad(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertGrad("", f, inputs);
    }

    private static void assertGrad(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, inputs, EPS, ATOL, RTOL);
        assertTrue(r.passed(), what + " " + r.message());
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOps(UnaryOp op) {
        Rng rng = new Rng(op.ordinal());
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT;
        boolean kink = op == UnaryOp.ABS || op == UnaryOp.RELU || op == UnaryOp.RECIPROCAL;
        Tensor x = positive || kink ? awayFromZero(rng, positive, 3, 17) : leaf(rng, 3, 17);
        assertGrad(in -> in[0].unary(op), x);
        // and through a transposed (non-contiguous) view
        assertGrad(in -> in[0].t().unary(op), x);
    }

    static Stream<Arguments> broadcastShapes() {
        return Stream.of(
                Arguments.of(new int[] {4, 5}, new int[] {4, 5}),
                Arguments.of(new int[] {4, 5}, new int[] {5}),
                Arguments.of(new int[] {4, 1}, new int[] {1, 5}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {3, 1}),
                Arguments.of(new int[] {}, new int[] {3, 2}));
    }

    @ParameterizedTest
    @MethodSource("broadcastShapes")
    void binaryOpsBroadcast(int[] as, int[] bs) {
        for (BinaryOp op : BinaryOp.values()) {
            Rng rng = new Rng(7 + op.ordinal());
            Tensor a;
            Tensor b;
            if (op == BinaryOp.POW) {
                a = awayFromZero(rng, true, as);
                b = leaf(rng, bs);
            } else if (op == BinaryOp.MAX || op == BinaryOp.MIN) {
                a = grid(rng, 0.037f, as); // every a - b is at least 0.037 away from the kink at a == b
                b = grid(rng, 0f, bs);
            } else if (op == BinaryOp.DIV) {
                a = leaf(rng, as);
                b = awayFromZero(rng, false, bs);
            } else {
                a = leaf(rng, as);
                b = leaf(rng, bs);
            }
            BinaryOp o = op;
            assertGrad(o.name(), in -> switch (o) {
                case ADD -> in[0].add(in[1]);
                case SUB -> in[0].sub(in[1]);
                case MUL -> in[0].mul(in[1]);
                case DIV -> in[0].div(in[1]);
                case POW -> in[0].pow(in[1]);
                case MAX -> in[0].maximum(in[1]);
                case MIN -> in[0].minimum(in[1]);
            }, a, b);
        }
    }

    @Test
    void scalarOperandsAndWhere() {
        Rng rng = new Rng(3);
        Tensor a = leaf(rng, 3, 4);
        Tensor b = leaf(rng, 4);
        Tensor cond = Tensor.rand(rng, 3, 4).gt(Tensor.scalar(0.5f));
        assertGrad(in -> in[0].mul(3f).add(1f).div(2f).sub(0.5f).pow(2f), a);
        assertGrad(in -> Tensor.where(cond, in[0], in[1]), a, b);
    }

    @Test
    void reductions() {
        Rng rng = new Rng(11);
        Tensor x = leaf(rng, 3, 4, 5);
        assertGrad(in -> in[0].sum(), x);
        assertGrad(in -> in[0].sum(1, false), x);
        assertGrad(in -> in[0].sum(new int[] {0, 2}, true), x);
        assertGrad(in -> in[0].mean(new int[] {-1}, false), x);
        assertGrad(in -> in[0].mean(), x);
        assertGrad(in -> in[0].max(2, false), x);
        assertGrad(in -> in[0].min(0, true), x);
        assertGrad(in -> in[0].max(), x);
        assertGrad(in -> in[0].var(new int[] {1}, 1, false), x);
        assertGrad(in -> in[0].var(new int[] {0, 2}, 0, true), x);
        assertGrad(in -> in[0].logsumexp(new int[] {2}, false), x);
        assertGrad(in -> in[0].permute(2, 0, 1).sum(new int[] {0, 2}, false), x);
    }

    @Test
    void softmaxAndLogSoftmaxOverEveryDim() {
        Rng rng = new Rng(13);
        Tensor x = leaf(rng, 3, 4, 5);
        for (int d = 0; d < 3; d++) {
            int dim = d;
            assertGrad(in -> in[0].softmax(dim), x);
            assertGrad(in -> in[0].logSoftmax(dim), x);
        }
    }

    @Test
    void matmulAllForms() {
        Rng rng = new Rng(17);
        Tensor a = leaf(rng, 4, 3);
        Tensor b = leaf(rng, 3, 5);
        assertGrad(in -> in[0].matmul(in[1]), a, b);
        assertGrad(in -> in[0].t().matmul(in[1].t().t()), leaf(rng, 3, 4), b);   // transposed operand
        assertGrad(in -> in[0].matmul(in[1].t()), a, leaf(rng, 5, 3));
        assertGrad(in -> in[0].matmul(in[1]), leaf(rng, 2, 4, 3), b);            // batch x matrix (broadcast)
        assertGrad(in -> in[0].matmul(in[1]), leaf(rng, 2, 1, 4, 3), leaf(rng, 3, 3, 2));
        assertGrad(in -> in[0].matmul(in[1]), leaf(rng, 3), b);                  // vector x matrix
        assertGrad(in -> in[0].matmul(in[1]), a, leaf(rng, 3));                  // matrix x vector
        assertGrad(in -> in[0].matmul(in[1]), leaf(rng, 3), leaf(rng, 3));       // dot
    }

    @Test
    void views() {
        Rng rng = new Rng(19);
        Tensor x = leaf(rng, 2, 3, 4);
        assertGrad(in -> in[0].view(6, 4).mul(in[0].reshape(6, 4)), x);
        assertGrad(in -> in[0].permute(2, 0, 1).contiguous().mul(2f), x);
        assertGrad(in -> in[0].transpose(0, 2).reshape(-1), x);
        assertGrad(in -> in[0].narrow(2, 1, 2), x);
        assertGrad(in -> in[0].slice(2, 0, 4, 2), x);
        assertGrad(in -> in[0].select(1, 2), x);
        assertGrad(in -> in[0].unsqueeze(1).expand(2, 5, 3, 4), x);
        assertGrad(in -> in[0].narrow(1, 0, 1).squeeze(1), x);
        assertGrad(in -> in[0].flatten(0, 1).copy(), x);
        assertGrad(in -> in[0].to(DType.F32).mul(in[0]), x);
    }

    @Test
    void indexingAndJoining() {
        Rng rng = new Rng(23);
        Tensor x = leaf(rng, 4, 5);
        Tensor idx = Tensor.ofLongs(new long[] {0, 3, 3, 1, 4, 0}, 2, 3);
        assertGrad(in -> in[0].gather(1, idx), x);
        Tensor src = leaf(rng, 2, 3);
        assertGrad(in -> in[0].scatterAdd(1, idx, in[1]), x, src);
        Tensor rows = Tensor.ofLongs(new long[] {2, 0, 2, 3});
        assertGrad(in -> in[0].indexSelect(0, rows), x);
        Tensor y = leaf(rng, 4, 2);
        assertGrad(in -> Tensor.cat(1, in[0], in[1]), x, y);
        assertGrad(in -> Tensor.stack(0, in[0], in[0].mul(2f)), x);
    }
}
